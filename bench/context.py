"""What every scenario gets: the playbook runner, the emulator client, a temp dir and the sizes to use."""

import dataclasses


@dataclasses.dataclass
class Sizes:
    """Loop lengths, list sizes, file sizes and repetitions; `make bench` uses FULL."""

    noop_items: int = 10
    noop_reps: int = 5
    converge_items: int = 20
    converge_reps: int = 3
    loop_sizes: tuple = (10, 100)
    role_sizes: tuple = (10, 100, 500)
    role_reps: int = 3
    upload_sizes_mib: tuple = (64, 1024)
    upload_reps: int = 2


FULL = Sizes()
QUICK = Sizes(noop_items=5, noop_reps=2, converge_items=5, converge_reps=2, loop_sizes=(5, 20), role_sizes=(5, 20, 50),
              role_reps=1, upload_sizes_mib=(16, 64), upload_reps=1)


@dataclasses.dataclass
class Context:
    runner: object      # playbook.Runner
    emulator: object    # ece_http.Emulator
    tmp: str            # a temp dir, removed after the run
    sizes: Sizes
