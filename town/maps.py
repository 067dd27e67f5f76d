"""Extra layers on the places' maps (attraction and route pages), from apps above the places.

An app that has things to pin near a place (the scenic area's toilets, first aid, bus stops…)
registers a function ``layer(points) -> [marker, ...]`` where ``points`` are the (lat, lng) pairs
the map shows and each marker is a dict as includes/map.html takes it. The places call
``markers_near`` without knowing who answers, so the layers stay one way.
"""

_layers = []


def register_map_layer(layer):
    if layer not in _layers:
        _layers.append(layer)


def markers_near(points):
    """The registered layers' markers near ``points`` ((lat, lng) pairs; missing ones skipped)."""
    points = [(lat, lng) for lat, lng in points if lat is not None and lng is not None]
    if not points:
        return []
    markers = []
    for layer in _layers:
        markers.extend(layer(points))
    return markers
