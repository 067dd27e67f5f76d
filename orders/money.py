"""Money as integer minor units (fen) with a currency: never floats."""

from dataclasses import dataclass
from decimal import Decimal

from .models.orders import DEFAULT_CURRENCY


class CurrencyMismatch(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Money:
    fen: int
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self):
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise TypeError("Money takes a whole number of fen.")

    @classmethod
    def zero(cls, currency=DEFAULT_CURRENCY):
        return cls(0, currency)

    def __add__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} + {other.currency}")
        return Money(self.fen + other.fen, self.currency)

    def __mul__(self, factor):
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.fen * factor, self.currency)

    __rmul__ = __mul__

    def percent(self, pct: int) -> "Money":
        """``pct`` per cent, rounded down to the fen (refunds never exceed the share)."""
        return Money(self.fen * pct // 100, self.currency)

    @property
    def yuan(self) -> str:
        sign = "-" if self.fen < 0 else ""
        whole, part = divmod(abs(self.fen), 100)
        return f"{sign}{whole}.{part:02d}"

    def __str__(self):
        symbol = "¥" if self.currency == "CNY" else f"{self.currency} "
        return f"{symbol}{self.yuan}"


def format_fen(fen, currency=DEFAULT_CURRENCY) -> str:
    return str(Money(int(fen or 0), currency))


def yuan_to_fen(value: Decimal) -> int:
    """A yuan amount typed in a form (at most 2 decimals, checked by the form) as integer fen."""
    return int((value * 100).to_integral_value())


def fen_to_yuan(fen) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))
