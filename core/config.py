"""All settings in one place. Every field can be set as an environment variable with the EASEL_ prefix."""

from functools import lru_cache
from pathlib import Path

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EASEL_", env_file=".env", extra="ignore")

    # Where the embedded default keeps its SQLite file, images, API key and signing secret.
    data_dir: Path = Path("data")
    # SQLAlchemy URL; empty means a SQLite file under data_dir.
    database_url: str = ""
    # Celery broker (Redis). Empty means the embedded in-process worker.
    broker_url: str = ""

    host: str = "127.0.0.1"
    port: int = 8000
    # Used to build image URLs when the service sits behind a proxy; empty means the request's own base URL.
    public_base_url: str = ""
    # Where images and uploads are kept: empty means <data_dir>/images; a folder (or file:///path); or an
    # S3-compatible bucket, s3://bucket/prefix, which no node needs a shared folder for (core/s3.py). Region and
    # credentials: the standard AWS settings (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, ...).
    storage_url: str = ""
    # An S3-compatible server's URL (SeaweedFS, MinIO, ...); empty means AWS S3.
    s3_endpoint_url: str = ""
    # "path" or "virtual"; empty: path-style when s3_endpoint_url is set, else botocore's choice.
    s3_addressing_style: str = ""
    # Image URLs in responses point straight at the bucket (presigned S3 GETs, expiring with Easel's own URLs),
    # so image bytes never pass through the API nodes.
    s3_presigned_urls: bool = False
    # The endpoint clients reach the store at, for presigned URLs, when it differs from s3_endpoint_url.
    s3_public_endpoint_url: str = ""
    # Images and uploads of jobs that finished longer ago than this are deleted (the job stays, marked
    # expired); 0 keeps them forever.
    retention_days: float = 0
    # How often the retention sweep runs (one node at a time).
    retention_sweep_interval_seconds: float = 600.0

    # Secret for signing image URLs; empty means one generated once and kept in data_dir.
    secret_key: str = ""
    url_ttl_seconds: int = 3600

    # Models this deployment serves; the first is what "dall-e-2" means unless default_model says otherwise.
    models: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["unclip"])
    default_model: str = ""
    unclip_path: Path = REPO_ROOT / "models" / "unclip" / "weights"
    kandinsky_path: Path | None = None
    device: str = "auto"  # "cpu", "cuda" or "auto"

    # Content policy file (YAML); empty means the policy that ships in safety/.
    policy_file: Path | None = None

    max_upload_bytes: int = 4 * 1024 * 1024
    max_prompt_chars: int = 1000
    # How long a synchronous /v1/images/* call waits for its job before answering 504 (the job keeps running).
    sync_timeout_seconds: float = 900.0
    # Requests per minute per API key on the image endpoints; 0 turns the limit off. The default for keys that
    # set no requests_per_minute of their own (nor through their tier).
    rate_limit_per_minute: int = 0
    # Default image limits per key (a key's own values or its tier's win); 0 = no limit. One image of n is one unit.
    images_per_minute: int = 0
    images_per_day: int = 0
    images_per_month: int = 0
    # Where the limit counters live: empty means the broker's Redis in distributed mode, memory when embedded.
    limits_storage_url: str = ""
    # When the counters cannot be read (Redis down): refuse with 503 (false, the default) or let requests through.
    limits_fail_open: bool = False
    # Invitation tiers: name -> limits given to the keys redeemed with that tier's codes (JSON in the env var).
    tiers: dict[str, dict[str, int]] = Field(
        default_factory=lambda: {
            "trusted": {"requests_per_minute": 60, "images_per_minute": 30, "images_per_day": 500},
            "beta": {"requests_per_minute": 20, "images_per_minute": 10, "images_per_day": 50},
        }
    )
    # Web origins whose pages may call the API from a browser (CORS), comma-separated, or "*"; empty: none.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # A running job whose worker has not renewed its lease for this long is retried (up to max_attempts).
    job_lease_seconds: int = 120
    max_attempts: int = 3

    # Cross-request batching (worker/runner.py): a worker runs a job together with compatible queued jobs (same
    # model, operation, size, steps and guidance) in one model call, up to this many images; 1 turns it off.
    # Only for the operations a model samples as one batch (unclip: generations, edits and variations).
    max_batch_images: int = Field(default=8, ge=1)
    # How long a job waits for company before its batch starts; 0 waits for nothing (a lone job starts at once,
    # and the jobs queued meanwhile behind a running batch make up the next one).
    batch_wait_ms: int = Field(default=0, ge=0)

    # Distributed mode (EASEL_BROKER_URL set). How often the API's re-dispatcher requeues jobs of dead workers
    # and sends the jobs the broker never got (Redis was down when they were accepted).
    redispatch_interval_seconds: float = 10.0
    # A job running longer than this is stopped (Celery soft time limit; the hard limit is 60 s later). The
    # broker's visibility timeout is set above the hard limit, so Redis never redelivers a job still running.
    job_time_limit_seconds: int = 1800

    @field_validator("models", "cors_origins", mode="before")
    @classmethod
    def _split_list(cls, value):
        # EASEL_MODELS=unclip,kandinsky-2.2 (a JSON list works too).
        if isinstance(value, str):
            value = value.strip()
            if value.startswith("["):
                import json

                return json.loads(value)
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'easel.db').resolve()}"

    @property
    def resolved_default_model(self) -> str:
        return self.default_model or self.models[0]


@lru_cache
def get_settings() -> Settings:
    return Settings()
