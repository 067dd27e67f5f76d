"""What a study-tour programme costs a group: the price per pupil per day of the largest tier the
group reaches (``ProgrammePriceTier``), else the programme's own price."""


def pupil_day_price_fen(programme, pupils, tiers=None):
    """Fen per pupil per day for a group of ``pupils``. ``tiers``: the programme's tiers when the
    caller has them already (prefetched), else they are read."""
    tiers = list(programme.price_tiers.all()) if tiers is None else tiers
    reached = [tier for tier in tiers if tier.min_pupils <= pupils]
    if not reached:
        return programme.price_per_pupil_day_fen
    return max(reached, key=lambda tier: tier.min_pupils).price_per_pupil_day_fen


def lowest_pupil_day_price_fen(programme, tiers=None):
    """The "from" price of a card: the cheapest of the programme's price and its tiers."""
    tiers = list(programme.price_tiers.all()) if tiers is None else tiers
    return min([programme.price_per_pupil_day_fen, *(tier.price_per_pupil_day_fen for tier in tiers)])


def programme_total_fen(programme, pupils, tiers=None):
    """The pupils' part of a programme for a group: pupils × days × the tier's price."""
    return pupils * programme.duration_days * pupil_day_price_fen(programme, pupils, tiers)
