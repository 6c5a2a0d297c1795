"""Money in the contract: commands take yuan (as operators write them), events carry whole fen, so
that sums in the log and in every read model are exact."""

from __future__ import annotations

from decimal import Decimal


def fen(yuan: Decimal | float) -> int:
    return int((Decimal(str(yuan)) * 100).to_integral_value())


def yuan(amount_fen: int) -> str:
    return f"{Decimal(amount_fen) / 100:.2f}"
