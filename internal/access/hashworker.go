package access

// Password hashes in a process of their own, at a lower CPU priority.
//
// An argon2id check of DefaultArgon2 keeps both of a small server's
// processors busy for tens of milliseconds and holds 64 MiB. In the
// server's own process those two goroutines share the processors equally
// with every request being answered, so each sign-in slowed every page
// open at that moment (docs/performance.md, "Sign-in hashes in a worker
// process, and a cheaper raise"). The kernel can do better than the Go
// scheduler here, if it is told: serve starts one worker process
// (`waymark` itself, with only WAYMARK_HASH_WORKER=1 and the Go runtime's
// own variables in its environment) at nice 10, sends it each derivation
// over a pipe and reads back the key. The kernel then gives the people
// already working the processors first and the hashes what is left, and
// the 64 MiB a hash holds is the worker's, kept while people sign in and
// handed back once they stop (RunHashWorker), not the server's heap.
//
// Nothing else changes: the same slots bound how many hashes run at once
// (a sign-in still waits, or is refused as busy, exactly as before), the
// same parameters and salt give the same key, and the comparison with the
// stored hash is made here. If the worker cannot be started, dies, does
// not answer within workerTimeout or answers nonsense, the hash is derived
// in this process instead, and another worker is started after
// restartBackoff.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/crypto/argon2"
)

// HashWorkerEnv, set to "1" in a process's environment, makes `waymark`
// serve password hashes on its standard input and output (ServeHashWorker)
// instead of running a command.
const HashWorkerEnv = "WAYMARK_HASH_WORKER"

// HashWorkerNice is the nice value the worker runs at: the kernel gives
// its threads about a tenth of a processor's time against a busy thread at
// the default 0, and all of an idle processor.
const HashWorkerNice = 10

// Limits a request must keep: a stored hash's parameters are Waymark's
// own (identity rows are sealed), but the worker checks them anyway so a
// broken frame cannot make it allocate gigabytes.
const (
	maxWorkerMemory   = 1 << 20 // KiB: 1 GiB
	maxWorkerTime     = 64
	maxWorkerField    = 4096 // bytes of password, salt or key
	workerHeaderBytes = 8 + 4 + 4 + 1 + 4 + 4 + 4
)

// workerTakes says a request is within the limits above: serve checks
// before it sends, the worker before it allocates.
func workerTakes(passes, memory uint32, threads uint8, keyLen uint32, password, salt int) bool {
	return password <= maxWorkerField && salt <= maxWorkerField && keyLen > 0 && keyLen <= maxWorkerField &&
		memory <= maxWorkerMemory && passes > 0 && passes <= maxWorkerTime && threads > 0
}

// HashWorker is the server's end of the worker process.
type HashWorker struct {
	path string
	log  *slog.Logger

	mu        sync.Mutex
	proc      *workerProc // nil until started, and after it died
	next      uint64
	closed    bool         // Close was called: no worker is started again
	lastStart time.Time    // when a worker was last started (or tried)
	started   atomic.Int64 // how many processes were started (tests)
}

// Bounds on the worker. A hash at nice 10 on a saturated machine can take
// some seconds; one that takes workerTimeout is stopped (its process
// killed) and derived in serve instead, so a worker that hangs, or was
// stopped with SIGSTOP, holds a sign-in for that long and no longer.
// After a worker dies or fails to start, serve hashes in its own process
// and starts another only after restartBackoff, so a worker that cannot
// run costs one attempt a minute, not a process for every sign-in.
var (
	workerTimeout  = 10 * time.Second
	workerReady    = 5 * time.Second // for the worker to say it is ready
	closeWait      = 2 * time.Second // for it to end once its input closes
	restartBackoff = time.Minute
)

type workerProc struct {
	log     *slog.Logger
	closing atomic.Bool   // Close ended it
	exited  chan struct{} // closed once the process has ended and been reaped
	cmd     *exec.Cmd
	in      io.WriteCloser
	wmu     sync.Mutex // one frame at a time on in
	mu      sync.Mutex
	pending map[uint64]chan []byte
	dead    bool
}

// NewHashWorker returns a worker that runs path (the waymark executable)
// when the first hash is asked of it.
func NewHashWorker(path string, log *slog.Logger) *HashWorker {
	if log == nil {
		log = slog.Default()
	}
	return &HashWorker{path: path, log: log}
}

// Start starts the worker process now and waits until it says it is
// ready, so that a worker that cannot run (a priority it may not take,
// say) shows at start-up and the first sign-in does not wait for it.
func (w *HashWorker) Start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lastStart = time.Time{} // a first start is never held back
	_, err := w.procLocked()
	return err
}

// PID is the worker process's id, or 0 when none is running.
func (w *HashWorker) PID() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.proc == nil || w.proc.cmd.Process == nil {
		return 0
	}
	return w.proc.cmd.Process.Pid
}

// Close stops the worker: it exits when its input closes, or is killed
// after closeWait. No worker is started after Close.
func (w *HashWorker) Close() error {
	w.mu.Lock()
	p := w.proc
	w.proc = nil
	w.closed = true
	w.mu.Unlock()
	if p == nil {
		return nil
	}
	p.closing.Store(true)
	p.in.Close()
	select {
	case <-p.exited:
	case <-time.After(closeWait):
		p.cmd.Process.Kill() // a hash still running, or a stopped process
		<-p.exited
	}
	return nil
}

var (
	errWorkerClosed  = errors.New("access: the hash worker was closed")
	errWorkerBackoff = errors.New("access: the last hash worker started less than a minute ago; another is started after that")
)

func (w *HashWorker) procLocked() (*workerProc, error) {
	if w.closed {
		return nil, errWorkerClosed
	}
	if w.proc != nil {
		p := w.proc
		p.mu.Lock()
		dead := p.dead
		p.mu.Unlock()
		if !dead {
			return p, nil
		}
		w.proc = nil
	}
	if !w.lastStart.IsZero() && time.Since(w.lastStart) < restartBackoff {
		return nil, errWorkerBackoff
	}
	w.lastStart = time.Now()
	p, err := startWorker(w.path, w.log)
	if err != nil {
		return nil, err
	}
	w.started.Add(1)
	w.proc = p
	return p, nil
}

// startWorker starts the worker process and waits for it to say it is
// ready: it lowers its own priority first thing (RunHashWorker) and ends
// if it cannot. Its environment holds only what it needs: serve's may hold
// the database password or the master key.
func startWorker(path string, log *slog.Logger) (*workerProc, error) {
	cmd := exec.Command(path)
	cmd.Env = []string{HashWorkerEnv + "=1"}
	for _, k := range []string{"GOMAXPROCS", "GODEBUG", "GOTRACEBACK"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stderr = os.Stderr
	// It ends when its input closes, which the kernel does when this
	// process ends, however it ends.
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("access: starting the hash worker: %w", err)
	}
	r := bufio.NewReader(out)
	ready := make(chan error, 1)
	go func() {
		b, err := r.ReadByte()
		if err == nil && b != workerReadyByte {
			err = fmt.Errorf("it began with byte %#x", b)
		}
		ready <- err
	}()
	select {
	case err = <-ready:
	case <-time.After(workerReady):
		err = errors.New("it did not say it was ready in time")
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("access: the hash worker did not start: %w", err)
	}
	p := &workerProc{log: log, cmd: cmd, in: in, pending: map[uint64]chan []byte{}, exited: make(chan struct{})}
	go p.read(r)
	return p, nil
}

// workerReadyByte is the first byte the worker writes, once its priority
// is lowered.
const workerReadyByte = 'R'

// lowerPriority puts every thread of this process at HashWorkerNice, or
// leaves it lower (a serve started with nice 15 has a worker at 15: raising
// a priority needs a privilege).
// Linux keeps a nice value for each thread, and a new thread takes the
// value of the thread that made it; so once every thread has been set,
// every later one is too. A thread made while the first pass ran may have
// been made from one not yet set, hence the passes until one finds
// nothing to set.
func lowerPriority() error {
	for range 100 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		changed := false
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil {
				continue
			}
			// getpriority's raw system call answers 20 - nice.
			prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
			if err != nil {
				continue // the thread ended
			}
			if 20-prio >= HashWorkerNice {
				continue // as low already, or lower: only ever lowered
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, HashWorkerNice); err != nil {
				return err
			}
			changed = true
		}
		if !changed {
			return nil
		}
	}
	return errors.New("access: the hash worker's threads kept changing while their priority was lowered")
}

// read hands each answer to its waiting request; when the worker's output
// ends, every request still waiting is told it failed.
func (p *workerProc) read(r io.Reader) {
	var err error
	for {
		var hdr [12]byte
		if _, err = io.ReadFull(r, hdr[:]); err != nil {
			break
		}
		id, n := binary.BigEndian.Uint64(hdr[:8]), binary.BigEndian.Uint32(hdr[8:])
		if n > maxWorkerField {
			err = fmt.Errorf("an answer of %d bytes", n)
			break
		}
		key := make([]byte, n)
		if _, err = io.ReadFull(r, key); err != nil {
			break
		}
		p.mu.Lock()
		ch := p.pending[id]
		delete(p.pending, id)
		p.mu.Unlock()
		if ch != nil {
			ch <- key
		}
	}
	if !p.closing.Load() {
		p.log.Warn("the password hash worker stopped: passwords are checked in serve's own process until another is started, a minute after the last at the earliest", "pid", p.cmd.Process.Pid, "err", err)
	}
	p.mu.Lock()
	p.dead = true
	for id, ch := range p.pending {
		close(ch)
		delete(p.pending, id)
	}
	p.mu.Unlock()
	p.in.Close()
	p.cmd.Wait() // reap it
	close(p.exited)
}

var errWorkerGone = errors.New("access: the hash worker stopped before answering")

// Derive asks the worker for argon2id's key. It returns an error, and the
// caller derives the key itself, when the worker is not there or stops
// before answering.
func (w *HashWorker) Derive(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) ([]byte, error) {
	if !workerTakes(passes, memory, threads, keyLen, len(password), len(salt)) {
		return nil, fmt.Errorf("%w (m=%d, t=%d, p=%d, key %d bytes)", errWorkerParams, memory, passes, threads, keyLen)
	}
	w.mu.Lock()
	p, err := w.procLocked()
	w.next++
	id := w.next
	w.mu.Unlock()
	if err != nil {
		return nil, err
	}
	ch := make(chan []byte, 1)
	p.mu.Lock()
	if p.dead {
		p.mu.Unlock()
		return nil, errWorkerGone
	}
	p.pending[id] = ch
	p.mu.Unlock()

	timer := time.NewTimer(workerTimeout) // the write too: a stopped worker's pipe can fill
	defer timer.Stop()
	frame := make([]byte, workerHeaderBytes, workerHeaderBytes+len(password)+len(salt))
	binary.BigEndian.PutUint64(frame[0:], id)
	binary.BigEndian.PutUint32(frame[8:], passes)
	binary.BigEndian.PutUint32(frame[12:], memory)
	frame[16] = threads
	binary.BigEndian.PutUint32(frame[17:], keyLen)
	binary.BigEndian.PutUint32(frame[21:], uint32(len(password)))
	binary.BigEndian.PutUint32(frame[25:], uint32(len(salt)))
	frame = append(append(frame, password...), salt...)
	p.wmu.Lock()
	_, err = p.in.Write(frame)
	p.wmu.Unlock()
	clear(frame) // the password
	if err != nil {
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		return nil, fmt.Errorf("access: sending to the hash worker: %w", err)
	}
	select {
	case key, ok := <-ch:
		if !ok || uint32(len(key)) != keyLen {
			return nil, errWorkerGone
		}
		return key, nil
	case <-timer.C:
		// Hung, stopped, or answering another id: it is killed, every hash
		// waiting on it is derived in serve, and another is started later.
		p.mu.Lock()
		delete(p.pending, id)
		p.mu.Unlock()
		p.cmd.Process.Kill()
		return nil, fmt.Errorf("access: the hash worker did not answer in %s and was stopped", workerTimeout)
	}
}

// errWorkerParams: parameters the worker does not take; the hash is
// derived in serve, and the worker is not at fault.
var errWorkerParams = errors.New("access: parameters the hash worker does not take")

// RunHashWorker is the whole of a worker process: ServeHashWorker on in
// and out, with the memory settings that suit it. Its heap is the hashes'
// buffers and little else. Memory a process has handed back to the system
// must be faulted in again page by page, and on a virtual machine that is
// most of a hash's cost: a DefaultArgon2 hash into fresh memory took about
// 0.9 s here, into memory already faulted in 45-80 ms
// (docs/performance.md). So the worker keeps its buffers while people are
// signing in: the collector is paced by a limit of what the hashes
// running at once need, not by the heap's growth (which would leave the
// runtime handing each buffer back between hashes), and each hash first
// collects the last one's buffer so that it is reused rather than added
// to. Once no hash has run for workerQuiet, the buffers go back.
func RunHashWorker(in io.Reader, out io.Writer) error {
	if err := lowerPriority(); err != nil {
		return fmt.Errorf("access: lowering the hash worker's priority: %w", err)
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(HashMemory() + workerHeadroom)
	if _, err := out.Write([]byte{workerReadyByte}); err != nil {
		return err
	}
	return serveHashes(in, out, runtime.GC)
}

// workerHeadroom is the worker's memory limit besides the hashes' buffers.
const workerHeadroom = 32 << 20

// workerQuiet is how long the worker keeps its buffers after the last hash.
var workerQuiet = 10 * time.Second

// ServeHashWorker is the worker's side: it reads requests from in until it
// ends, derives each key in a goroutine of its own (the server's slots
// bound how many are asked at once) and writes the answers to out. When no
// hash has run for workerQuiet, the memory they used goes back to the
// system.
func ServeHashWorker(in io.Reader, out io.Writer) error { return serveHashes(in, out, func() {}) }

// serveHashes is ServeHashWorker, calling collect before a hash starts
// when no other is running.
func serveHashes(in io.Reader, out io.Writer, collect func()) error {
	r := in // unbuffered: no buffer of its own keeps past passwords
	var wmu sync.Mutex
	var running, ended atomic.Int64
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		var hdr [workerHeaderBytes]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		id := binary.BigEndian.Uint64(hdr[0:])
		passes := binary.BigEndian.Uint32(hdr[8:])
		memory := binary.BigEndian.Uint32(hdr[12:])
		threads := hdr[16]
		keyLen := binary.BigEndian.Uint32(hdr[17:])
		np := binary.BigEndian.Uint32(hdr[21:])
		ns := binary.BigEndian.Uint32(hdr[25:])
		if !workerTakes(passes, memory, threads, keyLen, int(np), int(ns)) {
			return fmt.Errorf("access: hash worker: a request it does not take (m=%d, t=%d, p=%d)", memory, passes, threads)
		}
		body := make([]byte, np+ns)
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if running.Add(1) == 1 {
			collect() // the last hash's buffer, so that this one reuses it
		}
		wg.Go(func() {
			key := argon2.IDKey(body[:np], body[np:], passes, memory, threads, keyLen)
			clear(body)
			answer := make([]byte, 12+len(key))
			binary.BigEndian.PutUint64(answer[0:], id)
			binary.BigEndian.PutUint32(answer[8:], uint32(len(key)))
			copy(answer[12:], key)
			// Counted as ended before it is answered: the server sends the
			// next hash only once it has the answer, and that hash must see
			// this one's buffer as garbage to collect.
			n := ended.Add(1)
			last := running.Add(-1) == 0
			wmu.Lock()
			out.Write(answer) // a broken pipe: the server has gone, and the next read ends the loop
			wmu.Unlock()
			if last {
				time.AfterFunc(workerQuiet, func() {
					if running.Load() == 0 && ended.Load() == n {
						debug.FreeOSMemory()
					}
				})
			}
		})
	}
}

// hashWorker, when set, derives the hashes (UseHashWorker).
var hashWorker atomic.Pointer[HashWorker]

// UseHashWorker sends every password hash of this process to w from now
// on (nil: derive them in this process again).
func UseHashWorker(w *HashWorker) { hashWorker.Store(w) }

// StopUsingHashWorker derives this process's hashes in it again, unless
// another worker has been put in w's place meanwhile.
func StopUsingHashWorker(w *HashWorker) { hashWorker.CompareAndSwap(w, nil) }
