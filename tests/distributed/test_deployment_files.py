"""docker-compose.yml and the Dockerfile, checked with what runs here (no Docker daemon): they must start the
processes with the same commands the distributed tests run, and keep the deployment's invariants."""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.distributed.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def test_easel_is_the_cli_the_tests_run():
    # The tests start `python -m easel.cli ...`; the images run `easel ...`: the same entry point.
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["easel"] == "easel.cli:main"


def test_compose_runs_the_tested_commands_in_order():
    assert set(SERVICES) >= {"api", "worker", "redis", "postgres", "migrate"}
    assert SERVICES["migrate"]["command"] == ["easel", "migrate"]
    assert SERVICES["migrate"]["restart"] == "no"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert SERVICES["api"]["command"][:2] == ["easel", "api"]
    worker = SERVICES["worker"]["command"]
    assert worker[:3] == ["easel", "worker", "--model"] and worker[4:] == ["--concurrency", "1"]
    for name in ("api", "worker"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["redis"]["condition"] == "service_healthy"


def test_compose_health_checks_volumes_and_scaling():
    for name in ("api", "worker", "redis", "postgres"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(SERVICES["api"]["healthcheck"]["test"])
    assert SERVICES["worker"]["healthcheck"]["test"][-2:] == ["-m", "worker.healthcheck"]

    # Workers put images into the object store and the API serves them from there: no shared volume.
    env = COMPOSE["x-easel-env"]
    data_dir = env["EASEL_DATA_DIR"]
    assert "volumes" not in SERVICES["api"]
    assert all(not mount.endswith(f":{data_dir}") for mount in SERVICES["worker"]["volumes"])
    assert "easel-data" not in COMPOSE["volumes"]
    assert {"seaweedfs-data", "postgres-data", "redis-data"} <= set(COMPOSE["volumes"])
    assert env["EASEL_STORAGE_URL"].split(":-", 1)[1].startswith("s3://")
    assert "http://seaweedfs:8333" in env["EASEL_S3_ENDPOINT_URL"]
    seaweedfs = SERVICES["seaweedfs"]
    assert seaweedfs["image"].startswith("chrislusf/seaweedfs") and "-s3" in seaweedfs["command"]
    # The store's admin credentials are the ones Easel signs with (SigV4 is checked).
    assert seaweedfs["environment"]["AWS_SECRET_ACCESS_KEY"] == env["AWS_SECRET_ACCESS_KEY"]
    assert seaweedfs["environment"]["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
    assert SERVICES["migrate"]["depends_on"]["seaweedfs"]["condition"] == "service_started"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"])

    # `--scale worker=N`: no fixed name or host port, a GPU each.
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    [device] = worker["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"] and device["count"] == 1
    assert worker["environment"]["EASEL_DEVICE"] == "cuda"

    # Queued job ids survive a Redis restart.
    assert "--appendonly" in SERVICES["redis"]["command"]
    env = COMPOSE["x-easel-env"]
    assert env["EASEL_BROKER_URL"].startswith("redis://redis:") and "@postgres:" in env["EASEL_DATABASE_URL"]


def test_dockerfile_builds_api_and_cuda_worker_images_from_one_build():
    stages = {stage: parent for parent, stage in re.findall(r"^FROM (\S+) AS (\S+)$", DOCKERFILE, flags=re.M)}
    assert {"api", "worker", "deps-cpu", "deps-cuda"} <= set(stages)
    assert stages["api"] == stages["worker"] == "runtime"
    sections = re.split(r"^FROM ", DOCKERFILE, flags=re.M)
    by_stage = {s.split()[2]: s for s in sections[1:] if " AS " in s.splitlines()[0]}
    assert "/whl/cu" in by_stage["deps-cuda"] and "/whl/cpu" in by_stage["deps-cpu"]
    assert "--from=deps-cuda /venv" in by_stage["worker"] and "--from=deps-cpu /venv" in by_stage["api"]
    assert 'CMD ["easel", "api"]' in by_stage["api"]
    assert 'CMD ["easel", "worker"' in by_stage["worker"]
    for build in (SERVICES["api"]["build"], SERVICES["worker"]["build"], SERVICES["migrate"]["build"]):
        assert build["context"] == "."
    assert SERVICES["api"]["build"]["target"] == "api" and SERVICES["worker"]["build"]["target"] == "worker"


def test_the_image_holds_every_package_the_project_installs():
    """pyproject's package list and the Dockerfile's COPY lines move together (a package left out installs as
    nothing, and `easel` fails on import inside the container)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = {name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \1$", DOCKERFILE, flags=re.M))
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
