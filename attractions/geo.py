# attractions/migrations/0001_initial.py names these validators by this path (the coordinate
# fields moved to town with the geo module); nothing else may import from here.
from town.geo import validate_latitude, validate_longitude

__all__ = ["validate_latitude", "validate_longitude"]
