# pufabot in a container: a static binary (CGO_ENABLED=0), run as a non-root
# user, with its configuration, database and index in the /data volume.
#
#   docker build -t pufabot .
#   docker run -d --name pufabot -v pufabot-data:/data \
#     -e PUFABOT_TELEGRAM_TOKEN=… pufabot
#
# Put config.yaml into the volume (it is read from /data/config.yaml; set
# http.listen: ":8080" there to reach /metrics from outside the container).
# The first start builds the index of the built-in laws under /data/data.

FROM golang:1.26-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.commit=${COMMIT} -X main.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
      -o /out/pufabot ./cmd/pufabot

FROM alpine:3.22
RUN apk add --no-cache ca-certificates \
 && adduser -D -H -u 10001 -s /sbin/nologin pufabot \
 && mkdir /data && chown pufabot:pufabot /data
COPY --from=build /out/pufabot /usr/local/bin/pufabot
USER pufabot
WORKDIR /data
VOLUME /data
EXPOSE 8080
# /healthz answers 200 once the database, the knowledge base and Telegram
# are ready (http.listen, default 127.0.0.1:8080, inside the container).
HEALTHCHECK --interval=30s --timeout=5s --start-period=2m --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/pufabot"]
CMD ["serve"]
