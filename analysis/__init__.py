"""demat.analysis: load run and sweep files, draw the standard figures, write a report.

    from demat import analysis
    sets = analysis.load_runs(["hybrid.h5", "online_only.h5"])   # one RunSet per scenario
    analysis.tidy(["hybrid.h5"])                                 # a long pandas table
    analysis.write_report(["hybrid.h5", "online_only.h5"], "report/")

or, from a shell: ``python3 -m demat.analysis report RUN.h5 [RUN2.h5 ...] -o DIR``.

This folder (analysis/ in the repository) is installed as the subpackage
``demat.analysis``; it reads files only, so it also works on files written by
the ``demat`` command.
"""

from .load import RunSet, key_numbers, load_runs, tidy
from .figures import FIGURES, draw_all
from .report import write_report

__all__ = ["FIGURES", "RunSet", "draw_all", "key_numbers", "load_runs", "tidy", "write_report"]
