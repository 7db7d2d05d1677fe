"""moto_server whose state survives a restart: the embedded local AWS of `npm start` (src/aws/moto.ts).

moto keeps every resource in memory, in its backends (one BackendDict per service). This launcher
serves moto exactly as `moto_server` does, and keeps a snapshot of those backends in a file:
loaded before serving, written (atomically) about a second after requests changed anything, and on
SIGTERM, SIGINT or when the parent closes our standard input (it died). A snapshot is moto's own
objects, pickled: ARNs, subscription ids, creation dates and tags come back exactly as they were,
which replaying recorded requests (moto's recorder) cannot promise for generated ids.

It relies on moto internals (BackendDict and its module-level instances), so a snapshot is only read
by the moto version that wrote it; another version refuses it with a message (exit code 3).

With --fill-gaps it also installs moto_fills.py (beside this file): a fake of what moto lacks for
ElastiCache and CloudFormation. --state may then be left out (no snapshots).

Usage: python3 moto_with_state.py [--state FILE] [--fill-gaps] [-H HOST] [-p PORT]
"""

import argparse
import collections
import hashlib
import importlib
import io
import os
import pickle
import signal
import sys
import threading

import moto
from moto.core.base_backend import BackendDict
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

FORMAT = 1
SNAPSHOT_DELAY_SECONDS = 1.0
LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
RLOCK_TYPE = type(threading.RLock())


class FactoryLost(dict):
    """A defaultdict whose factory is a local lambda (not picklable); its backend's own is put back."""


def rebuild_defaultdict(cls, factory):
    """A defaultdict (or a subclass whose __init__ takes other arguments, like SSM's ParameterDict)."""
    rebuilt = collections.defaultdict.__new__(cls)
    collections.defaultdict.__init__(rebuilt, factory)
    return rebuilt


class StatePickler(pickle.Pickler):
    """Pickles moto's objects: locks come back new and unlocked; defaultdicts keep their class."""

    def reducer_override(self, obj):
        if isinstance(obj, LOCK_TYPES):
            return (threading.RLock if isinstance(obj, RLOCK_TYPE) else threading.Lock, ())
        if isinstance(obj, collections.defaultdict):
            local = "<" in getattr(obj.default_factory, "__qualname__", "")
            if local and type(obj) is collections.defaultdict:
                return (FactoryLost, (dict(obj),))
            return (rebuild_defaultdict, (type(obj), None if local else obj.default_factory), getattr(obj, "__dict__", None) or None, None, iter(obj.items()))
        return NotImplemented


def module_attribute(backend_dict):
    """Where moto keeps this BackendDict: (module, attribute), e.g. ('moto.sqs.models', 'sqs_backends')."""
    module = sys.modules[backend_dict.backend.__module__]
    for name, value in vars(module).items():
        if value is backend_dict:
            return module.__name__, name
    raise RuntimeError(f"cannot find where moto keeps the {backend_dict.service_name} backends")


def snapshot():
    services = {}
    for backend_dict in BackendDict._instances:
        where = module_attribute(backend_dict)
        if where in services:
            continue
        accounts = {account: dict(regions) for account, regions in backend_dict.items()}
        extra = {k: v for k, v in vars(backend_dict).items() if k not in ("backend", "service_name", "_id", "_use_boto3_regions", "_additional_regions")}
        services[where] = (accounts, extra)
    buffer = io.BytesIO()
    StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump({"format": FORMAT, "moto": moto.__version__, "services": services})
    return buffer.getvalue()


def restore_factories(backend):
    lost = {k: v for k, v in vars(backend).items() if isinstance(v, FactoryLost)}
    if not lost:
        return
    fresh = type(backend)(backend.region_name, backend.account_id)
    for name, items in lost.items():
        live = getattr(fresh, name)
        if isinstance(live, collections.defaultdict):
            live.clear()
            live.update(items)
            setattr(backend, name, live)


def restore(data):
    saved = pickle.loads(data)
    if saved.get("format") != FORMAT or saved.get("moto") != moto.__version__:
        raise VersionMismatch(saved.get("moto"))
    for (module_name, attribute), (accounts, extra) in saved["services"].items():
        live = getattr(importlib.import_module(module_name), attribute)
        for account_id, regions in accounts.items():
            account = live[account_id]  # creates the account's entry and registers live as in use
            for region, backend in regions.items():
                restore_factories(backend)
                dict.__setitem__(account, region, backend)
        for name, value in extra.items():
            setattr(live, name, value)


class VersionMismatch(Exception):
    pass


class Gate:
    """Requests run side by side; a snapshot waits for them to finish and holds new ones back."""

    def __init__(self):
        self.condition = threading.Condition()
        self.active = 0
        self.paused = False
        self.requests = 0

    def enter(self):
        with self.condition:
            while self.paused:
                self.condition.wait()
            self.active += 1

    def leave(self):
        with self.condition:
            self.active -= 1
            self.requests += 1
            self.condition.notify_all()

    def quiet(self):
        with self.condition:
            self.paused = True
            while self.active:
                self.condition.wait()

    def resume(self):
        with self.condition:
            self.paused = False
            self.condition.notify_all()


def gated(app, gate):
    def wsgi(environ, start_response):
        gate.enter()
        try:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                getattr(result, "close", lambda: None)()
        finally:
            gate.leave()

    return wsgi


class Snapshots:
    def __init__(self, path, gate):
        self.path = path
        self.gate = gate
        self.seen = -1
        self.written = None
        self.lock = threading.Lock()

    def write_if_changed(self):
        with self.lock:
            if self.gate.requests == self.seen:
                return
            self.gate.quiet()
            try:
                self.seen = self.gate.requests
                data = snapshot()
            finally:
                self.gate.resume()
            digest = hashlib.sha256(data).digest()
            if digest == self.written:
                return
            temporary = f"{self.path}.tmp"
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
            self.written = digest


def drain(stream):
    while stream.read(4096):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", help="snapshot file (created when missing); none: no snapshots")
    parser.add_argument("--fill-gaps", action="store_true", help="install moto_fills.py, a fake of what moto lacks")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=5000)
    args = parser.parse_args()

    if args.fill_gaps:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import moto_fills

        moto_fills.install()

    if args.state and os.path.exists(args.state):
        try:
            with open(args.state, "rb") as file:
                restore(file.read())
        except VersionMismatch as mismatch:
            print(f"{args.state} was written by moto {mismatch.args[0]}, and this is moto {moto.__version__}: its state cannot be read. Start with --fresh (the saved state is discarded) or install moto {mismatch.args[0]}.", file=sys.stderr)
            sys.exit(3)

    gate = Gate()
    snapshots = Snapshots(args.state, gate)
    snapshots.seen = 0  # nothing changed yet: the loaded file is the current state
    server = make_server(args.host, args.port, gated(DomainDispatcherApplication(create_backend_app), gate), threaded=True)
    stopping = threading.Event()

    def stop(*_):
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # The parent holds our standard input open; when it goes away (even killed), so do we.
    threading.Thread(target=lambda: (drain(sys.stdin.buffer), stopping.set()), daemon=True).start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving moto {moto.__version__} on http://{args.host}:{server.server_port}, state in {args.state}, gaps filled: {args.fill_gaps}", file=sys.stderr, flush=True)

    save = snapshots.write_if_changed if args.state else (lambda: None)
    while not stopping.wait(SNAPSHOT_DELAY_SECONDS):
        save()
    server.shutdown()
    save()
    # Not a normal interpreter exit: the thread blocked reading standard input would make it abort.
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
