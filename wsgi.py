import gc

from webapp import create_app

app = create_app()

# Everything made while loading the app (about 300,000 objects: modules, mappers, compiled
# templates) lives as long as the process. Frozen, the collector stops walking it: a full
# collection of a web worker took 150 ms of CPU, and under load it stalled one request in
# hundreds by half a second (benchmarks/load_pages.py, docs/benchmarks.md). Under a
# server that loads the app before it forks, the workers also share those pages longer.
gc.freeze()
