"""Joint-inventory stages (placeholder)."""
STEPS = 0


def run_stages(run, config) -> None:
    return None
