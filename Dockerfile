# Hosted mode: streamable HTTP on port 8000 at /mcp. Bound to all interfaces, the server
# refuses to start without API keys: run with -e SINCH_MCP_API_KEYS=... (and the Sinch
# variables for a real project, or SINCH_MCP_SANDBOX=1).

# Build stage: the project and every dependency as wheels, so the runtime stage needs
# neither build tools nor the network.
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY sinch_provisioning_mcp ./sinch_provisioning_mcp
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels sinch-provisioning-mcp \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin mcp
USER 10001:10001
EXPOSE 8000
# urlopen raises on anything but a 2xx answer, so the exit status is the readiness.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
ENTRYPOINT ["sinch-provisioning-mcp"]
CMD ["--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
