// Package faceapi holds the tests that check darkgo's bundled face model,
// cfg/tiny-face.cfg + cfg/tiny-face.weights, against face-api itself.
//
// The model is face-api's TinyFaceDetector (npm @vladmandic/face-api, MIT),
// converted by ./convert. The expected outputs in testdata/faceapi were made
// by verify.mjs, which runs face-api with TensorFlow.js on the same inputs; see
// README.md in this directory. The package has no exported API.
package faceapi
