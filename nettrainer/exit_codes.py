"""The command line's exit codes besides 0 (ok) and a user error's (2; 3 for divergence).

A module of its own, importing nothing, so that ``python -m nettrainer``
can exit with :data:`EXIT_INTERRUPTED` even when Ctrl-C arrives while the
command line's slow imports (numpy, matplotlib) are still running.
"""

EXIT_GRADCHECK_FAILED = 1  # a gradient check failed
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports SIGINT (128 + 2)
EXIT_TERMINATED = 143  # SIGTERM (kill, timeout, a job scheduler), as a shell reports it (128 + 15)
