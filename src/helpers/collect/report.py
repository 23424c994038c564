"""What ``alliance collect`` did with each entry of the drop folder, in lines and as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpers.submission import printable_name


@dataclass
class CollectReport:
    """What happened to each entry of the drop folder (names only: no owner, no times)."""

    files: int = 0
    accepted: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    merged: list[tuple[str, str]] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    cohorts: dict[str, int] = field(default_factory=dict)
    counted_by: str = "pseudonym"
    trainees: int = 0

    def lines(self) -> list[str]:
        """One line per rejected, duplicate or merged file and per flag, ready to print."""
        out = [f"rejected {printable_name(name)}: {reason}" for name, reason in self.rejected]
        out += [
            f"duplicate {printable_name(name)}: identical copy of {printable_name(first)},"
            " counted once"
            for name, first in self.duplicates
        ]
        out += [
            f"merged {printable_name(name)}: an earlier reflection of the same trainee, session"
            f" and role as {printable_name(kept)}; only the latest is counted"
            for name, kept in self.merged
        ]
        out += [f"FLAG: {line}" for line in self.flagged]
        codes = ", ".join(f"{code} ({n})" for code, n in sorted(self.cohorts.items()))
        if codes:
            out.append(f"class codes seen: {codes}")
        if self.counted_by == "pseudonym" and self.accepted:
            out.append(
                "WARNING: every file has the same owner (a download from a learning platform?),"
                " so trainees are counted by pseudonym: one person sharing under several"
                " pseudonyms would count as several trainees"
            )
        return out

    def summary(self) -> str:
        """``N files, A accepted, R rejected, D duplicates, M merged``."""
        return (
            f"{self.files} files, {self.accepted} accepted, {len(self.rejected)} rejected,"
            f" {len(self.duplicates)} duplicates, {len(self.merged)} merged"
        )

    def as_json(self) -> dict[str, Any]:
        """The machine-readable summary written next to the class table (no owners, no times)."""
        reasons: dict[str, int] = {}
        for _, reason in self.rejected:
            key = reason.split(" (", 1)[0].split(";", 1)[0]
            reasons[key] = reasons.get(key, 0) + 1
        return {
            "files": self.files,
            "accepted": self.accepted,
            "rejected": len(self.rejected),
            "rejected_by_reason": dict(sorted(reasons.items())),
            "duplicates": len(self.duplicates),
            "merged": len(self.merged),
            "flagged_accounts": len(self.flagged),
            "class_codes": dict(sorted(self.cohorts.items())),
            "trainees": self.trainees,
            "counted_by": self.counted_by,
        }
