// Package track gives detections in a video stable identities across
// frames: a SORT-style multi-object tracker (Bewley et al. 2016, "Simple
// Online and Realtime Tracking").
//
// Each track carries a constant-velocity Kalman filter on the box state
// [u, v, s, r, u', v', s'] (centre, area, aspect ratio w/h, and the
// velocities of centre and area; the aspect ratio is assumed constant), with
// SORT's noise settings. Every frame, Update predicts each track one frame
// ahead, then matches predicted boxes to the frame's detections by the
// Hungarian algorithm (O(n³), see Assign), maximising the summed IoU over
// pairs whose IoU is at least Options.MinIoU. Unlike SORT, pairs below the
// threshold carry no weight in the assignment, so they can never push out an
// admissible pair. Tracks and detections are matched only within the same
// class: a "car" track never continues as a "truck" detection.
//
// # Identities
//
// A new detection starts a tentative track. It becomes confirmed, and only
// then gets an ID, after Options.MinHits consecutive matched frames
// (default 3, as SORT); a tentative track that misses one frame is dropped.
// So a detector's one-frame false positives consume no IDs and IDs stay
// dense: 1, 2, 3, ... in order of confirmation (ties by detection index), the
// same for the same input on every run. The price is that a new object shows
// no ID (0) for its first MinHits-1 frames; MinHits 1 gives every detection an
// ID from its first frame. Once confirmed, a track keeps its ID through
// misses: it is shown again on the first frame it is re-matched (SORT hides
// it for another min_hits frames). A confirmed track that goes more than
// Options.TTL consecutive frames without a match is deleted (an object
// missing for up to TTL frames keeps its ID); its ID is never reused.
//
// # Easy cases (tested)
//
//   - Objects moving at constant velocity keep their IDs through gaps of up
//     to TTL frames when they re-appear near where constant velocity puts
//     them. A new track starts with zero velocity, so an object must move
//     less than about half its size between its first two frames: with
//     MinIoU 0.3, (w-v)/(w+v) >= 0.3, v <= 21 px for a 40 px box.
//   - Two objects of the same class crossing with constant velocities, both
//     detected on every frame, keep their IDs: head-on on the same line
//     (where the boxes coincide for a frame, on which no tracker can tell
//     them apart), an X crossing, one overtaking another, different sizes.
//   - Two objects crossing where the one behind is not detected while hidden
//     (5 or 25 frames in the tests) keep their IDs if it re-appears where its
//     constant velocity puts it; so do two seen as one merged box for a few
//     frames (below).
//
// # Known failure modes
//
//   - An object that changes direction or speed while unseen, or moves more
//     than its own size between frames (low frame rate, -s frame skip), is not
//     re-matched and starts a new ID.
//   - When crossing objects are merged into one detection (a box around
//     both), the track that receives it is pulled off course. For a few frames
//     both keep their IDs (10 frames at 5 px/frame in the tests); longer, and
//     one of them comes out with a new ID, or the two may swap.
//   - A track's area velocity can extrapolate a shrinking box to nothing while
//     it is unseen; the area is then held at its last positive value, as SORT
//     does, but the prediction is still poor.
//   - Objects that stop being detected for longer than TTL get a new ID.
//
// Bad input never panics: detections with non-finite coordinates, negative
// sizes or coordinates beyond ±1e7 are not tracked (ID 0); zero-size boxes
// are tracked with their size clamped to a tiny positive value.
package track
