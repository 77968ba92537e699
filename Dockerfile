# One image for every hirestream service: `hirestream <subcommand>`.
# Build: docker build -t hirestream .

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/hirestream ./cmd/hirestream

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hirestream /usr/local/bin/hirestream
USER nonroot:nonroot
EXPOSE 8080 8090
ENTRYPOINT ["/usr/local/bin/hirestream"]
