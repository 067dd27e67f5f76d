"""What the whole town shares, underneath every other app of ours: villages and coordinates,
the common StreamField blocks, the content cache and the demo loader's toolbox.

It imports no other app of ours, so any app may build on it.
"""
