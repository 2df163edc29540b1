package report

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"strconv"

	"github.com/pufabot/pufabot/report/internal/glyphs"
)

// Chart layout, in pixels.
const (
	chartWidth   = 1200
	chartMargin  = 48
	seriesHeight = 340 // plot area of the consultations-by-period chart
	topicRow     = 34  // one bar of the consultations-by-topic chart
)

var (
	colorBackground = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colorText       = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	colorMuted      = color.RGBA{0x6B, 0x6B, 0x6B, 0xFF}
	colorGrid       = color.RGBA{0xE3, 0xE3, 0xE3, 0xFF}
	colorAxis       = color.RGBA{0x99, 0x99, 0x99, 0xFF}
	colorSeries     = color.RGBA{0x2F, 0x6F, 0xB5, 0xFF}
	colorTopic      = color.RGBA{0xC4, 0x3C, 0x39, 0xFF}
)

// chart is everything the PNG shows, computed before drawing so that tests
// can check that the embedded fonts cover every label.
type chart struct {
	title, subtitle, footer string
	seriesTitle             string
	seriesLabels            []string // under each bar
	seriesYears             []string // a second line under a bar: the year where it changes, else ""
	seriesValues            []int64
	topicTitle              string
	topicLabels             []string
	topicValues             []int64
	empty                   string // shown in a chart with no data
}

func (r *Report) chart() chart {
	c := chart{
		title:       r.Heading(),
		subtitle:    fmt.Sprintf("咨询 %d 人次 · 服务群众 %d 人 · 推送普法宣传信息 %d 条 · 统计期间 %s", r.Consultations, r.PeopleServed(), r.Campaigns.Delivered, r.PeriodRange()),
		footer:      "数据来源：普法机器人咨询记录（含工作人员登记的线下咨询），不含个人信息。",
		seriesTitle: "各月咨询人次",
		topicTitle:  "各专题咨询人次",
		empty:       "暂无数据",
	}
	if r.Granularity == ByDay {
		c.seriesTitle = "每日咨询人次"
	}
	multiYear := r.From.In(r.Location).Year() != r.lastDay().Year()
	prevYear, prevMonth := 0, 0
	for i, b := range r.Series {
		y, m, d := b.Start.In(r.Location).Date()
		var label, year string
		if r.Granularity == ByDay {
			label = strconv.Itoa(d)
			if len(r.Series) <= 16 {
				label += "日"
			}
			if i == 0 || int(m) != prevMonth {
				year = fmt.Sprintf("%d月", m)
			}
		} else {
			label = fmt.Sprintf("%d月", m)
			if multiYear && (i == 0 || y != prevYear) {
				year = fmt.Sprintf("%d年", y)
			}
		}
		prevYear, prevMonth = y, int(m)
		c.seriesLabels = append(c.seriesLabels, label)
		c.seriesYears = append(c.seriesYears, year)
		c.seriesValues = append(c.seriesValues, b.Count)
	}
	for _, t := range r.ByTopic {
		name := r.TopicName(t.Key)
		if len(glyphs.Missing(name)) > 0 {
			// A name from a caller's topic list that the embedded fonts
			// cannot draw: the ASCII id reads better than placeholders.
			name = t.Key
		}
		c.topicLabels = append(c.topicLabels, name)
		c.topicValues = append(c.topicValues, t.Count)
	}
	return c
}

// texts lists every string the chart draws, numbers aside.
func (c chart) texts() []string {
	out := []string{c.title, c.subtitle, c.footer, c.seriesTitle, c.topicTitle, c.empty}
	out = append(out, c.seriesLabels...)
	out = append(out, c.seriesYears...)
	return append(out, c.topicLabels...)
}

// WritePNG draws the consultations by month (or by day, for periods up to a
// month) and by topic as one PNG image, 1200 pixels wide, with Chinese
// labels drawn from fonts embedded in the binary.
func (r *Report) WritePNG(w io.Writer) error {
	img, err := r.chart().draw()
	if err != nil {
		return fmt.Errorf("report: png: %w", err)
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("report: png: %w", err)
	}
	return nil
}

type painter struct {
	img                         *image.RGBA
	title, heading, body, small *glyphs.Face
}

func (p *painter) close() {
	for _, f := range []*glyphs.Face{p.title, p.heading, p.body, p.small} {
		if f != nil {
			f.Close()
		}
	}
}

func (p *painter) rect(x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(p.img, image.Rect(x0, y0, x1, y1), image.NewUniform(c), image.Point{}, draw.Src)
}

// text draws s with its top-left corner at (x, y); align is -1 (left), 0
// (centred on x) or 1 (right-aligned to x). It returns the line height.
func (p *painter) text(f *glyphs.Face, x, y int, s string, c color.Color, align int) int {
	switch align {
	case 0:
		x -= f.Width(s) / 2
	case 1:
		x -= f.Width(s)
	}
	f.Draw(p.img, x, y+f.Ascent(), s, c)
	return f.Height()
}

func (c chart) draw() (*image.RGBA, error) {
	p := &painter{}
	defer p.close()
	for _, s := range []struct {
		face **glyphs.Face
		size float64
	}{{&p.title, 30}, {&p.heading, 22}, {&p.body, 16}, {&p.small, 14}} {
		f, err := glyphs.NewFace(s.size)
		if err != nil {
			return nil, err
		}
		*s.face = f
	}
	topicsHeight := max(len(c.topicValues), 1) * topicRow
	height := chartMargin + 44 + 32 + 40 + // title, subtitle, gap
		36 + seriesHeight + 56 + 40 + // series chart with labels
		36 + topicsHeight + 30 + // topic chart
		30 + chartMargin/2 // footer
	p.img = image.NewRGBA(image.Rect(0, 0, chartWidth, height))
	p.rect(0, 0, chartWidth, height, colorBackground)

	y := chartMargin
	y += p.text(p.title, chartMargin, y, c.title, colorText, -1) + 8
	y += p.text(p.body, chartMargin, y, c.subtitle, colorMuted, -1) + 40

	y += p.text(p.heading, chartMargin, y, c.seriesTitle, colorText, -1) + 8
	c.drawSeries(p, y)
	y += seriesHeight + 56 + 40

	y += p.text(p.heading, chartMargin, y, c.topicTitle, colorText, -1) + 8
	c.drawTopics(p, y)
	y += topicsHeight + 30

	p.text(p.small, chartMargin, y, c.footer, colorMuted, -1)
	return p.img, nil
}

// niceStep returns a round tick step (1, 2 or 5 × 10^k) that splits top
// into about five intervals.
func niceStep(top int64) int64 {
	if top <= 5 {
		return 1
	}
	raw := float64(top) / 5
	step := int64(1)
	for float64(step)*10 <= raw {
		step *= 10
	}
	switch {
	case float64(step) >= raw:
	case float64(2*step) >= raw:
		step *= 2
	case float64(5*step) >= raw:
		step *= 5
	default:
		step *= 10
	}
	return step
}

func (c chart) drawSeries(p *painter, top int) {
	var maxV int64
	for _, v := range c.seriesValues {
		maxV = max(maxV, v)
	}
	step := niceStep(maxV)
	axisTop := (maxV/step + 1) * step
	if maxV%step == 0 && maxV > 0 {
		axisTop = maxV
	}
	left := chartMargin + p.small.Width(strconv.FormatInt(axisTop, 10)) + 10
	right := chartWidth - chartMargin
	bottom := top + seriesHeight
	yOf := func(v int64) int { return bottom - int(float64(v)/float64(axisTop)*float64(seriesHeight-20)) }
	for v := int64(0); v <= axisTop; v += step {
		yy := yOf(v)
		p.rect(left, yy, right, yy+1, colorGrid)
		p.text(p.small, left-8, yy-p.small.Height()/2, strconv.FormatInt(v, 10), colorMuted, 1)
	}
	p.rect(left, bottom, right, bottom+1, colorAxis)
	n := len(c.seriesValues)
	if n == 0 || maxV == 0 {
		p.text(p.body, (left+right)/2, top+seriesHeight/2-10, c.empty, colorMuted, 0)
	}
	if n == 0 {
		return
	}
	slot := float64(right-left) / float64(n)
	barW := max(int(slot*0.6), 2)
	for i, v := range c.seriesValues {
		cx := left + int(slot*(float64(i)+0.5))
		if v > 0 {
			p.rect(cx-barW/2, yOf(v), cx+barW-barW/2, bottom, colorSeries)
			if n <= 16 || p.small.Width(strconv.FormatInt(v, 10)) < int(slot) {
				p.text(p.small, cx, yOf(v)-p.small.Height()-2, strconv.FormatInt(v, 10), colorText, 0)
			}
		}
		p.text(p.small, cx, bottom+6, c.seriesLabels[i], colorText, 0)
		if c.seriesYears[i] != "" {
			p.text(p.small, cx, bottom+6+p.small.Height(), c.seriesYears[i], colorMuted, 0)
		}
	}
}

func (c chart) drawTopics(p *painter, top int) {
	labelW := 0
	for _, l := range c.topicLabels {
		labelW = max(labelW, p.body.Width(l))
	}
	labelW = min(labelW, chartWidth/3)
	left := chartMargin + labelW + 12
	right := chartWidth - chartMargin - 70
	var maxV int64
	for _, v := range c.topicValues {
		maxV = max(maxV, v)
	}
	if len(c.topicValues) == 0 || maxV == 0 {
		p.text(p.body, chartWidth/2, top+6, c.empty, colorMuted, 0)
		return
	}
	p.rect(left, top, left+1, top+len(c.topicValues)*topicRow, colorAxis)
	for i, v := range c.topicValues {
		y := top + i*topicRow
		p.text(p.body, left-10, y+(topicRow-p.body.Height())/2, c.topicLabels[i], colorText, 1)
		w := int(float64(v) / float64(maxV) * float64(right-left))
		p.rect(left+1, y+6, left+1+w, y+topicRow-6, colorTopic)
		p.text(p.body, left+w+8, y+(topicRow-p.body.Height())/2, strconv.FormatInt(v, 10), colorText, -1)
	}
}
