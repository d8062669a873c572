"""Job events in one process: every subscriber of a job gets its events, in order; one that asked for no
progress is not woken for each sampling step."""

import asyncio

from core.events import LocalJobEvents


def test_subscribers_get_their_jobs_events_and_only_those():
    async def scenario():
        events = LocalJobEvents()
        everything = events.subscribe("job-1")
        status_only = events.subscribe("job-1", progress=False)
        other_job = events.subscribe("job-2")
        for step in (1, 2, 3):
            events.publish("job-1", {"status": "running", "step": step, "total": 3})
        events.publish("job-1", {"status": "succeeded", "step": 3, "total": 3})

        seen = [await everything.get(timeout=1) for _ in range(4)]
        assert [e["step"] for e in seen] == [1, 2, 3, 3] and seen[-1]["status"] == "succeeded"
        assert (await status_only.get(timeout=1))["status"] == "succeeded"  # no step came before it
        assert await status_only.get(timeout=0.05) is None
        assert await other_job.get(timeout=0.05) is None
        for sub in (everything, status_only, other_job):
            sub.close()
        assert not events._subscriptions  # closed subscriptions are forgotten

    asyncio.run(scenario())
