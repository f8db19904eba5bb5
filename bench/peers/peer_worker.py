#!/usr/bin/python3
"""One peer engine (OpenCV DNN or PyTorch) kept loaded for bench/peers/run.

usage: /usr/bin/python3 peer_worker.py opencv|torch CFG WEIGHTS INPUT_F32

INPUT_F32 is the CHW float32 tensor every engine of a run is fed. Protocol, one request per stdin
line, one JSON object per stdout line (the same as darkgo_time -serve):
  time WARMUP RUNS THREADS  -> {"ms": [...], "cpu_per_wall": x}
  dump DIR                  -> DIR/out_<L>.f32 for every [yolo] layer L, in Darknet's layout
                               ([anchors][5+classes][h][w], sigmoid on x,y,obj,classes, w,h raw)
  quit
OpenCV follows /work/shared/peers/ocv_bench.py (backend OPENCV, target CPU, forward of the
unconnected output layers, cv2.setNumThreads). PyTorch uses the builder ../shared/peers/torch_darknet.py
(relative to the repo root), run in place with runpy: it builds the model, and this worker then
times its forward() under torch.no_grad() with torch.set_num_threads.
"""
import contextlib, ctypes, io, json, os, re, resource, runpy, sys, time
import numpy as np

engine, cfg, weights, inpath = sys.argv[1:5]


def cfg_sections(path):
    secs = []
    for line in open(path):
        line = line.split('#')[0].strip()
        if not line:
            continue
        if line.startswith('['):
            secs.append([line.strip('[]'), {}])
            continue
        if '=' in line:
            k, v = line.split('=', 1)
            secs[-1][1][k.strip()] = v.strip()
    return secs


secs = cfg_sections(cfg)
netp, layers = secs[0][1], secs[1:]
W, H, C = int(netp['width']), int(netp['height']), int(netp.get('channels', 3))
x = np.fromfile(inpath, dtype=np.float32).reshape(1, C, H, W)
yolos = [i for i, (t, _) in enumerate(layers) if t == 'yolo']


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def yolo_act(raw, L):
    """Darknet's [yolo] forward on the raw conv output feeding layer L."""
    p = layers[L][1]
    A, ncls = len(p['mask'].split(',')), int(p['classes'])
    sxy = float(p.get('scale_x_y', 1.0))
    v = raw.astype(np.float64).reshape(A, 5 + ncls, raw.shape[-2], raw.shape[-1])
    o = 1 / (1 + np.exp(-v))
    o[:, 0:2] = o[:, 0:2] * sxy - 0.5 * (sxy - 1)
    o[:, 2:4] = v[:, 2:4]
    return o.astype(np.float32)


def maxout_forward(g, torch):
    """torch_darknet's forward() over its module list g['mods'], except that a maxpool_depth layer
    (output channel c = max over input channels c, c+K, c+2K, ...) is x.view(N, C/K, K, H, W).amax(1)."""
    F, act, mods = torch.nn.functional, g['act'], g['mods']

    def forward(x):
        outs, res = [], []
        for m in mods:
            t = m[0]
            if t == 'conv':
                x = act(m[1](x), m[2])
            elif t == 'route':
                xs = [outs[l] for l in m[1]]
                if m[2] > 1:
                    xs = [torch.chunk(v, m[2], dim=1)[m[3]] for v in xs]
                x = xs[0] if len(xs) == 1 else torch.cat(xs, 1)
            elif t == 'maxpool':
                k, s, padding = m[1], m[2], m[3]
                pl = padding // 2
                if padding:
                    x = F.pad(x, (pl, padding - pl, pl, padding - pl), value=float('-inf'))
                x = F.max_pool2d(x, k, s)
            elif t == 'maxdepth':
                n, c, h, w = x.shape
                x = x.reshape(n, c // m[1], m[1], h, w).amax(1)
            elif t == 'upsample':
                x = F.interpolate(x, scale_factor=m[1], mode='nearest')
            elif t == 'shortcut':
                y = outs[m[1]]
                if y.shape[1] == x.shape[1]:
                    x = act(x + y, m[2])
                else:
                    k = min(x.shape[1], y.shape[1])
                    x = act(torch.cat([x[:, :k] + y[:, :k], x[:, k:]], 1), m[2])
            elif t == 'yolo':
                res.append(x)
            elif t != 'region':
                raise NotImplementedError(t)
            outs.append(x)
        return res
    return forward


t0 = time.time()
info = {'ready': True, 'engine': engine}
if engine == 'opencv':
    import cv2
    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    outn = list(net.getUnconnectedOutLayersNames())
    info['version'] = 'OpenCV ' + cv2.__version__
    lnames = set(net.getLayerNames())

    def set_threads(t):
        cv2.setNumThreads(t)

    def forward():
        net.setInput(x)
        return net.forward(outn)

    def raw_yolo_inputs():
        # OpenCV's darknet importer names conv L-1's activation '<act>_L' (see ocv_bench.py)
        names = []
        for L in yolos:
            a = layers[L - 1][1].get('activation', 'logistic')
            names.append('%s_%d' % (a, L) if a != 'linear' and '%s_%d' % (a, L) in lnames else 'conv_%d' % (L - 1))
        net.setInput(x)
        return net.forward(names)
elif engine == 'torch':
    import torch
    here = os.path.dirname(os.path.abspath(__file__))
    builder = os.path.normpath(os.path.join(here, '..', '..', '..', 'shared', 'peers', 'torch_darknet.py'))
    # The builder is a script: run it once with a 1-run timing so it builds the model, keep its globals.
    argv, sys.argv = sys.argv, [builder, cfg, weights, '--rounds', '1', '--runs', '1', '--warmup', '0', '--threads', '1']
    cap = io.StringIO()
    with contextlib.redirect_stdout(cap):
        g = runpy.run_path(builder, run_name='torch_darknet')
    sys.argv = argv
    rep = json.loads(cap.getvalue().strip().splitlines()[-1])
    if rep.get('weights_bytes_left'):
        raise SystemExit('torch_darknet: %d weight bytes left unread: cfg/weights mismatch' % rep['weights_bytes_left'])
    info['version'] = 'PyTorch ' + torch.__version__
    info['builder'] = builder
    info['config_isa'] = rep.get('config_isa')
    tx = torch.from_numpy(x.copy())
    tforward = g['forward']
    torch.set_grad_enabled(False)
    if any(m[0] == 'maxdepth' for m in g['mods']):
        # The builder computes Maxout with a Python loop of one strided max per output channel
        # (~200 tiny ops per layer, ~15-20 ms a frame here); run its module list with the same
        # max as one reshape, so PyTorch is not timed on the builder's shortcut. Checked identical below.
        tforward = maxout_forward(g, torch)
        same = all(torch.equal(p, q) for p, q in zip(g['forward'](tx), tforward(tx)))
        if not same:
            raise SystemExit('vectorised Maxout forward differs from torch_darknet.forward')
        info['forward'] = "torch_darknet's modules, Maxout as one view().amax() (outputs identical to its forward)"
    else:
        info['forward'] = 'torch_darknet.forward'

    # Debian's torch calls the system BLAS (OpenBLAS, pthread build) for some GEMMs, and OpenBLAS keeps
    # its own pool of one thread per core that torch.set_num_threads does not size: without this, a
    # "1-thread" PyTorch run uses both cores.
    blas_set = None
    for path in sorted(set(re.findall(r'/\S*openblas\S*\.so[.\d]*', open('/proc/self/maps').read()))):
        try:
            blas_set = ctypes.CDLL(path).openblas_set_num_threads
            info['openblas'] = path
            break
        except (OSError, AttributeError):
            pass

    def set_threads(t):
        torch.set_num_threads(t)
        if blas_set:
            blas_set(t)

    def forward():
        return tforward(tx)

    def raw_yolo_inputs():
        return [r.numpy() for r in tforward(tx)]
else:
    raise SystemExit('engine must be opencv or torch')
info['load_s'] = round(time.time() - t0, 3)
print(json.dumps(info), flush=True)

for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    if f[0] == 'quit':
        break
    try:
        if f[0] == 'time' and len(f) == 4:
            warm, runs, th = int(f[1]), int(f[2]), int(f[3])
            set_threads(th)
            for _ in range(warm):
                forward()
            ms = []
            c0, w0 = cpu(), time.perf_counter()
            for _ in range(runs):
                s = time.perf_counter()
                forward()
                ms.append((time.perf_counter() - s) * 1e3)
            resp = {'ms': ms, 'cpu_per_wall': (cpu() - c0) / (time.perf_counter() - w0)}
        elif f[0] == 'dump' and len(f) == 2:
            os.makedirs(f[1], exist_ok=True)
            files = []
            for L, r in zip(yolos, raw_yolo_inputs()):
                p = os.path.join(f[1], 'out_%d.f32' % L)
                yolo_act(r, L).tofile(p)
                files.append(p)
            resp = {'files': files}
        else:
            resp = {'error': 'bad request %r' % line}
    except Exception as e:  # report, keep serving: one failing request must not hang the driver
        resp = {'error': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(resp), flush=True)
