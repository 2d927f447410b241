"""Test registry and per-test context for the qtest suite.

    from harness import test, check

    @test("bar0-sweep-pf")
    def _(ctx):
        r = ctx.rig()
        ...
        check(cond, "what was expected", detail)

After the body returns, every rig the test opened must still be alive and
answering (qtest and QMP); then QEMU is killed. A failing test keeps its
temporary directory (QEMU log, stderr) and the report quotes the log.
"""
import time
import traceback

import rig as R

TESTS = {}


class Failure(AssertionError):
    pass


def test(name, timeout=90):
    def deco(fn):
        if name in TESTS:
            raise RuntimeError("duplicate test name %s" % name)
        TESTS[name] = (fn, timeout)
        return fn
    return deco


def check(cond, what, *detail):
    if not cond:
        msg = what
        if detail:
            msg += ": " + " ".join(str(d) for d in detail)
        raise Failure(msg)


def eq(got, want, what):
    if got != want:
        raise Failure("%s: got %s, expected %s" % (what, fmt(got), fmt(want)))


def fmt(v):
    if isinstance(v, int) and not isinstance(v, bool):
        return hex(v)
    return repr(v)


def wait_until(q, pred, what, timeout=2.0, step_ns=0):
    """Poll pred() while letting QEMU's main loop run (and, if step_ns,
    advancing virtual time by step_ns per poll)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for " + what)
        if step_ns:
            q.clock_step(step_ns)
        q.settle(0.001)


class Context:
    def __init__(self, name, verbose=False):
        self.name = name
        self.verbose = verbose
        self.rigs = []
        self.notes = []
        self.soft_failures = []

    def soft(self, fn, *args, **kw):
        """Run one independent check; a failure is recorded and the test
        goes on, so the report lists every expectation that does not hold.
        The test fails at the end if any did."""
        try:
            return fn(*args, **kw)
        except Failure as e:
            self.soft_failures.append(str(e))
            if self.verbose:
                print("    soft failure: %s" % e, flush=True)
            return None

    def rig(self, **kw):
        r = R.Rig("%s-%d" % (self.name.replace("/", "-"), len(self.rigs)), **kw)
        self.rigs.append(r)
        return r

    def note(self, msg):
        """A measurement or remark printed with the result."""
        self.notes.append(msg)
        if self.verbose:
            print("    " + msg, flush=True)


def run_one(name, verbose=False):
    """Run a test in this process. Returns a result dict."""
    fn, _ = TESTS[name]
    ctx = Context(name, verbose)
    t0 = time.monotonic()
    ok, reason, logs, dirs = True, "", [], []
    try:
        fn(ctx)
        for r in ctx.rigs:
            r.q.check_alive()
        if ctx.soft_failures:
            raise Failure("\n".join(ctx.soft_failures))
    except BaseException as e:  # noqa: B902 - report everything
        ok = False
        if isinstance(e, (Failure, AssertionError)):
            tb = traceback.extract_tb(e.__traceback__)
            where = [f for f in tb if f.filename.endswith(".py") and
                     "/test_" in f.filename]
            loc = ("%s:%d" % (where[-1].filename.rsplit("/", 1)[-1],
                              where[-1].lineno)) if where else ""
            reason = "%s%s" % (("[%s] " % loc) if loc else "", e)
        else:
            reason = "".join(traceback.format_exception(type(e), e,
                                                        e.__traceback__))
        if ctx.soft_failures and not str(e).startswith(ctx.soft_failures[0]):
            reason = "\n".join(ctx.soft_failures) + "\nthen: " + reason
    finally:
        if not ok:
            for r in ctx.rigs:
                try:
                    r.q.check_alive()
                    state = "alive and answering"
                except Exception as e:  # noqa: B902
                    state = str(e).splitlines()[0]
                reason += "\n(QEMU %s afterwards: %s)" % (r.name, state)
        for r in ctx.rigs:
            if not ok:
                lines = [l for l in r.q.log_lines()
                         if not l.startswith(("[R +", "[S +", "[I "))]
                logs.append((r.q.dir, lines, r.q.proc.returncode
                             if r.q.proc else None))
                dirs.append(r.q.dir)
            r.close()
            if ok:
                r.q.remove_dir()
    return dict(name=name, ok=ok, seconds=time.monotonic() - t0,
                reason=reason, logs=logs, notes=ctx.notes,
                commands=sum(r.q.commands for r in ctx.rigs))
