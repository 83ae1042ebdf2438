"""The whole demo as one deterministic description: the same seed gives the same data on every run and
machine, which is what makes `load_demo` idempotent and its figures reproducible."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .accounts import DEMO_ACCOUNTS
from .enterprises import Catalogue, build_catalogue
from .organisation import Organisation, build_organisation
from .people import People
from .regions import RegionSpec, region_specs
from .workforce import Workforce, build_workforce

SEED = 2020


@dataclass
class DemoData:
    regions: list[RegionSpec]
    catalogue: Catalogue
    organisation: Organisation
    full_names: dict[str, str]  # demo username → synthetic full name
    workforce: Workforce


def build_demo() -> DemoData:
    rng = random.Random(SEED)
    people = People(rng)
    catalogue = build_catalogue(rng, people)
    organisation = build_organisation(rng, people, catalogue)
    full_names = {a.username: people.name(unique=True) for a in DEMO_ACCOUNTS}
    # The leader and the liaison are people the rest of the data already names.
    full_names["demo-leader"] = organisation.leaders[0].full_name
    full_names["demo-liaison"] = next(c.name for c in organisation.cadres if c.username == "demo-liaison")
    return DemoData(region_specs(), catalogue, organisation, full_names, build_workforce(catalogue))
