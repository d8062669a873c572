# syntax=docker/dockerfile:1
# One build, two images:
#   docker build --target api    -t easel-api .      API nodes: FastAPI + content policy, CPU torch
#   docker build --target worker -t easel-worker .   GPU workers: CUDA torch, one model per process
# docker compose builds both (see docker-compose.yml). The commands are the ones the tests run:
#   easel migrate | easel api | easel worker --model M --concurrency 1

ARG PYTHON_VERSION=3.12
ARG TORCH_VERSION=2.13.0

FROM python:${PYTHON_VERSION}-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
WORKDIR /app

# --- dependencies: torch first (the biggest layer, and the only one that differs), then the project ---------
FROM base AS deps-cpu
ARG TORCH_VERSION
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
RUN pip install --index-url https://download.pytorch.org/whl/cpu "torch==${TORCH_VERSION}"
COPY pyproject.toml README.m[d] ./
COPY api api
COPY core core
COPY easel easel
COPY migrations migrations
COPY models models
COPY safety safety
COPY worker worker
COPY studio studio
COPY alembic.ini ./
RUN pip install .

FROM base AS deps-cuda
ARG TORCH_VERSION
# The CUDA wheels bring their own CUDA libraries; the host needs only the NVIDIA driver and container toolkit.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"
COPY --from=deps-cpu /app /app
RUN pip install .

# --- runtime images: the venv and nothing else; no compilers, not root ----------------------------------------
FROM base AS runtime
RUN useradd --create-home --uid 10001 easel && mkdir -p /data && chown easel /data
ENV PATH=/venv/bin:$PATH EASEL_DATA_DIR=/data EASEL_HOST=0.0.0.0 EASEL_PORT=8000
COPY --from=deps-cpu /app/alembic.ini /app/alembic.ini
VOLUME ["/data"]

FROM runtime AS api
COPY --from=deps-cpu /venv /venv
USER easel
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"
CMD ["easel", "api"]

FROM runtime AS worker
COPY --from=deps-cuda /venv /venv
ENV EASEL_DEVICE=cuda
USER easel
HEALTHCHECK --interval=30s --timeout=10s --start-period=300s CMD ["python", "-m", "worker.healthcheck"]
CMD ["easel", "worker", "--concurrency", "1"]
