"""Bounds on the work one request may ask for, so one session cannot stall a shared server."""

MAX_RUNS = 12  # optimizer settings in one race
MAX_STARTS = 8  # start points in one race
MAX_STEPS = 5000  # steps per run
MAX_RACE_WORK = 200_000  # runs x starts x steps in one race
MAX_SWEEP_CELLS = 100 * 100  # hyperparameter sweep grid
MAX_BASIN_CELLS = 256 * 256  # basins-of-attraction grid
MAX_GRID_WORK = 256 * 256 * 300 * 4  # runs x steps for sweeps and basins: a 256 x 256 map of 300 steps in each of
# four panels (the CPU estimate, optimizers.cost, is what refuses heavier work)
MAX_LABEL = 40  # characters in a run label
