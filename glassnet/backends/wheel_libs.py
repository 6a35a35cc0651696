"""Where the optional native wheels (``mkl``, ``onednn-cpu-gomp``) put their
shared libraries: ``<prefix>/lib`` of the environment, or of the user base
after ``pip install --user``."""

import glob
import os
import site
import sys


def find(pattern):
    """The first library matching ``pattern`` (e.g. ``"libmkl_rt.so*"``) in
    those places, or None."""
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, site.getuserbase())):
        found = sorted(glob.glob(os.path.join(prefix, "lib", pattern)))
        if found:
            return found[0]
    return None
