"""Content policy: checks on prompts, uploads and outputs.

Contract used by the API and the worker:
    policy = load_policy(path_or_None)      # cached per path by get_policy()
    policy.check_prompt(text)   -> Decision
    policy.check_upload(image)  -> Decision  # PIL image as uploaded
    policy.check_outputs(images) -> list[Decision]  # the PIL images of one job, checked together
"""

from safety.decision import Decision
from safety.policy import ContentPolicy, get_policy, load_policy

__all__ = ["ContentPolicy", "Decision", "get_policy", "load_policy"]
