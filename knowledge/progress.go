package knowledge

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows the stages of an index build: a progress bar per stage on
// a terminal, one line per finished stage otherwise (a log file, the
// journal).
type progress struct {
	w   io.Writer
	tty bool

	stage       string
	done, total int
	start       time.Time
	bar         *progressbar.ProgressBar
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// update reports done of total units of work in stage.
func (p *progress) update(stage string, done, total int) {
	if p.w == nil || total == 0 {
		// Nothing to count: a stage of no work says nothing.
		return
	}
	if stage != p.stage {
		p.finishStage()
		p.stage, p.start = stage, time.Now()
		if p.tty {
			p.bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionSetDescription(stage),
				progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30),
				progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionSetPredictTime(true))
		}
	}
	p.done, p.total = done, total
	if p.bar != nil {
		p.bar.ChangeMax(total)
		_ = p.bar.Set(done)
	}
}

// finishStage closes the bar of the current stage, or prints its line.
func (p *progress) finishStage() {
	if p.stage == "" {
		return
	}
	took := time.Since(p.start).Seconds()
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
		p.bar = nil
	} else {
		fmt.Fprintf(p.w, "%s %d/%d（%.1f 秒）\n", p.stage, p.done, p.total, took)
	}
	p.stage = ""
}

// note says what is being done when there is nothing to count.
func (p *progress) note(line string) {
	if p.w == nil {
		return
	}
	p.finishStage()
	fmt.Fprintln(p.w, line)
}

// finish ends the last stage.
func (p *progress) finish() {
	if p.w != nil {
		p.finishStage()
	}
}
