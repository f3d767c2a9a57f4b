FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM debian:bookworm-slim
# fonts-noto-core and fonts-noto-cjk: the PDF's fonts for every script (fonts/README.md).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates fonts-noto-core fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /src/target/release/undersigned /usr/local/bin/undersigned
COPY static /app/static
ENV APP_ADDR=0.0.0.0:3000 DATA_DIR=/data
VOLUME /data
EXPOSE 3000
CMD ["undersigned"]
