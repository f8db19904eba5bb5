#!/usr/bin/env python3
"""The usual Python real-time detection loop, for comparison with darkgo's
video mode: cv2.VideoCapture decodes, cv2.dnn runs a Darknet cfg+weights
(blobFromImage: resize to the network size, RGB, /255, as Darknet), the
YOLO outputs are thresholded and NMS'd (cv2.dnn.NMSBoxes), every frame.

    opencv_loop.py VIDEO CFG WEIGHTS [--threads T] [--thresh 0.25] [--nms 0.45]

Prints one JSON object: frames, seconds, fps, threads, detections.
"""
import argparse
import json
import sys
import time

import cv2
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("cfg")
    ap.add_argument("weights")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--thresh", type=float, default=0.25)
    ap.add_argument("--nms", type=float, default=0.45)
    a = ap.parse_args()

    cv2.setNumThreads(a.threads)
    net = cv2.dnn.readNetFromDarknet(a.cfg, a.weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    outs = net.getUnconnectedOutLayersNames()
    w = h = None
    for line in open(a.cfg):
        k, _, v = line.partition("=")
        if k.strip() == "width":
            w = int(v)
        elif k.strip() == "height":
            h = int(v)

    cap = cv2.VideoCapture(a.video)
    if not cap.isOpened():
        sys.exit(f"{a.video}: cannot open")
    frames = found = 0
    start = time.perf_counter()
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        fh, fw = frame.shape[:2]
        blob = cv2.dnn.blobFromImage(frame, 1 / 255.0, (w, h), swapRB=True, crop=False)
        net.setInput(blob)
        boxes, scores = [], []
        for out in net.forward(outs):
            for row in out:
                cls = row[5:]
                c = int(np.argmax(cls))
                p = float(cls[c])
                if p > a.thresh:
                    cx, cy, bw, bh = row[0] * fw, row[1] * fh, row[2] * fw, row[3] * fh
                    boxes.append([int(cx - bw / 2), int(cy - bh / 2), int(bw), int(bh)])
                    scores.append(p)
        keep = cv2.dnn.NMSBoxes(boxes, scores, a.thresh, a.nms) if boxes else []
        found += len(keep)
        frames += 1
    el = time.perf_counter() - start
    print(json.dumps({"frames": frames, "seconds": round(el, 3), "fps": round(frames / el, 2),
                      "threads": a.threads, "detections": found}))


if __name__ == "__main__":
    main()
