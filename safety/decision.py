from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    category: str | None = None  # policy category that fired, e.g. "violence"
    check: str | None = None  # which check fired: "terms", "public-figures", "profanity", "semantic", "ngram", "nsfw", "face", "language"
    score: float | None = None
    # What matched, for logs and debugging (a term, a NudeNet label). Never the prompt itself.
    detail: str | None = None

    @property
    def message(self) -> str:
        if self.allowed:
            return "allowed"
        if self.check == "language":
            return (
                "Your request was rejected as a result of our safety system. "
                "Prompts in this language cannot be checked; please write it in a supported language."
            )
        return (
            "Your request was rejected as a result of our safety system. "
            f"It may contain content that is not allowed ({self.category})."
        )


ALLOW = Decision(allowed=True)
