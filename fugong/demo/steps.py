"""Later capabilities add their demo data as steps, without editing the loader.

A step is a module `fugong/demo/step_<NN>_<topic>.py` (NN orders them) defining:
- `write(writer) -> collections.Counter[str]` — creates what is missing (idempotent: a second run creates
  nothing) and returns created counts by label; `writer` is the loader's _Writer (its `users`,
  `enterprise_ids`, `project_ids`, `data` are available);
- optionally `RESET_MODELS: tuple[str, ...]` — model labels `load_demo --reset` deletes first (business data
  that does not hang off an enterprise by CASCADE);
- optionally `report_lines() -> list[str]` — lines for the summary printout (figures counted from the DB).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import fugong.demo


def step_modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(fugong.demo.__path__) if m.name.startswith("step_"))
    return [importlib.import_module(f"fugong.demo.{name}") for name in names]


def reset_models() -> tuple[str, ...]:
    out: list[str] = []
    for module in step_modules():
        out.extend(getattr(module, "RESET_MODELS", ()))
    return tuple(out)
