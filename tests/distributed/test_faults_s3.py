"""The fault tests once more with S3 storage (a real SeaweedFS) and no shared folder: the API node and each
worker have data folders of their own, so every image a client gets went through the bucket."""

from __future__ import annotations

import pytest

from tests.distributed import test_faults

pytestmark = [*test_faults.pytestmark, pytest.mark.s3]


@pytest.fixture
def dist(s3_stack):
    yield s3_stack
    s3_stack.stop_workers()
    if s3_stack.redis.popen.poll() is not None:
        s3_stack.redis.start()
    if not s3_stack.s3.weed.running():
        s3_stack.s3.weed.start()


def test_sigkill_mid_job_with_s3_storage(dist):
    test_faults.test_sigkill_mid_job_is_redelivered_and_succeeds_once_with_the_same_seed(dist)
    assert_no_shared_folder(dist)


def test_redis_restarted_with_s3_storage(dist):
    test_faults.test_redis_down_at_submission_jobs_are_recorded_then_run_once(dist)
    assert_no_shared_folder(dist)


def assert_no_shared_folder(dist) -> None:
    # Nothing was written to any process's data folder but its own bookkeeping: the images are in the bucket.
    folders = [dist.data_dir, *sorted(dist.workdir.glob("worker*-data"))]
    assert len(folders) >= 3, folders
    for folder in folders:
        assert not (folder / "images").exists(), f"{folder} holds images"
    # And a client gets them through the API node, which never shared a disk with the workers.
    job = dist.http.get("/v1/jobs", params={"status": "succeeded", "limit": 1}).json()["data"][0]
    url = job["result"]["data"][0]["url"]
    assert dist.http.get(url).status_code == 200
