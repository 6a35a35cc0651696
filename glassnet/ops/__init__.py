"""The op classes: one file per family, each op's forward, backward and
local derivative rule side by side, on raw arrays. The public functions that
call them (``gn.exp``, ``gn.sum``...) are in ``glassnet.functions``."""
