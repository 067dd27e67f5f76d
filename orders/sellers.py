"""Who is owed the money of a sold line, and on what terms, kept on the line at the sale.

The core names no seller: each kind says who sells its lines (``LineKind.seller``: the host of a
stay, the farmer of a product; None when the town itself sells), and the app that keeps the
commission rates and knows the supported households registers one ``terms`` resolver here
(``register_terms``). ``place_order`` asks it once per order, so a later change of a rate or of a
household's flag never rewrites a sale: statements and the prosperity report read the line.
"""

from dataclasses import dataclass

# Basis points: 10000 is 100 %.
FULL_BP = 10000


@dataclass(frozen=True)
class SaleTerms:
    commission_bp: int = 0
    supported: bool = False


NO_TERMS = SaleTerms()
_resolver = None


def register_terms(resolver):
    """``resolver(pairs)`` takes a set of (kind, seller user id) and gives {pair: SaleTerms} in a
    fixed number of queries; pairs it leaves out get no commission and no flag."""
    global _resolver
    _resolver = resolver
    return resolver


def terms_for(pairs) -> dict:
    pairs = {pair for pair in pairs if pair[1] is not None}
    if not pairs or _resolver is None:
        return {}
    return _resolver(pairs)


def commission_of(amount_fen: int, bp: int) -> int:
    """The commission on ``amount_fen`` at ``bp``, rounded half up to a fen."""
    return (max(0, amount_fen) * bp + FULL_BP // 2) // FULL_BP
