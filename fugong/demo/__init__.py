"""The 苏仙区 demo data set behind `manage.py load_demo` (interfaces.md).

Not a Django app: plain modules that *describe* the demo (regions, enterprises, people, accounts) as pure,
deterministic data built from `random.Random(2020)`, and a loader that writes that description into the
database idempotently. Every person in it is synthetic; only public places, institutions and the three
companies named in the 2020 article are real names.
"""
