# darkgo's detection server as a container: one static binary on an empty
# base image (no shell, no libc), run as an unprivileged user.
#
#   docker build -t darkgo .
#   docker run -p 5000:5000 darkgo                       # the bundled face detector
#   docker run -p 5000:5000 -v $PWD/models:/models:ro darkgo \
#       -model yolo=/models/yolov4-tiny.cfg,/models/yolov4-tiny.weights
#
# Arguments after the image name are added to `detect serve -listen :5000`.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# CGO_ENABLED=0: a static binary that needs nothing from the base image.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/detect ./cmd/detect

FROM scratch
COPY --from=build /out/detect /detect
# nobody:nogroup; the server needs no file system access besides the models.
USER 65534:65534
EXPOSE 5000
# No shell in the image: the binary probes itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/detect", "serve", "-healthcheck", "http://127.0.0.1:5000/healthz"]
ENTRYPOINT ["/detect", "serve", "-listen", ":5000"]
