"""What apps above the places offer at a scenic spot, without the places importing them.

* Booking: timed entry (``gates``) registers ``entry(page) -> dict | None``, a call to action
  for the spot's page ({"url", "next_window": {starts_at, ends_at, places_left} | None}); the
  attraction page calls ``entry_for`` and shows what comes back, or nothing.
* Staff gates: an app with a staff page at a spot (the spot gate, the head counter) registers
  ``gates(user) -> [{"title", "url", "label"}]``; the gate index (``events``, on the same layer
  as ``gates``) lists ``staff_gates_for(user)`` next to its own events and tours.

The same idea as ``town.maps``: the registries are filled in the apps' ``AppConfig.ready``.
"""

_entry_finders = []
_staff_gate_finders = []


def register_entry(finder):
    if finder not in _entry_finders:
        _entry_finders.append(finder)


def register_staff_gates(finder):
    if finder not in _staff_gate_finders:
        _staff_gate_finders.append(finder)


def entry_for(page):
    """The first registered booking call to action for ``page`` (any translation), or None."""
    for finder in _entry_finders:
        if (found := finder(page)) is not None:
            return found
    return None


def staff_gates_for(user):
    """The registered staff pages at spots that ``user`` may open: [{"title", "url", "label"}]."""
    gates = []
    for finder in _staff_gate_finders:
        gates.extend(finder(user))
    return gates
