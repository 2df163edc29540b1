package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/pufabot/pufabot/store"
)

// Office is one township justice office of a county deployment: its
// residents' hand-overs go to its staff chat, its staff see its figures and
// broadcast to its residents.
type Office struct {
	// ID is the office's slug (deep link /start office-<id>).
	ID string
	// Name is what residents read, e.g. 石桥镇司法所.
	Name string
	// StaffChat receives the office's hand-overs.
	StaffChat int64
	// Admins are the office's staff.
	Admins []int64
}

// OfficeBroadcaster is a Broadcaster that can address one office's chats
// (*schedules.Scheduler implements it).
type OfficeBroadcaster interface {
	BroadcastOffice(ctx context.Context, office string, staffUserID int64, html string) (occurrenceID int64, err error)
}

// officeArgPrefix starts a /start payload that joins an office.
const officeArgPrefix = "office-"

// officeCommand is /office in the command menu of a county deployment.
var officeCommand = models.BotCommand{Command: "office", Description: "查看或更换所属司法所"}

// actOffice is the callback action of the office chooser; arg: office id.
const actOffice = 'o'

// offices is the bot's view of the deployment: either several configured
// offices, or one implicit office (id "") made of Options.Office,
// StaffChat and Admins, which is how a single township has always run.
type offices struct {
	multi  bool
	list   []Office
	byID   map[string]int
	byChat map[int64]int  // staff chat → index in list
	staff  map[int64]int  // admin → index of the first office listing them
	county map[int64]bool // county admins: every office
}

func newOffices(o Options) *offices {
	d := &offices{byID: map[string]int{}, byChat: map[int64]int{}, staff: map[int64]int{}, county: map[int64]bool{}}
	d.list = o.Offices
	d.multi = len(o.Offices) > 0
	if !d.multi {
		d.list = []Office{{ID: "", Name: o.Office, StaffChat: o.StaffChat, Admins: o.Admins}}
	}
	for i, of := range d.list {
		d.byID[of.ID] = i
		if of.StaffChat != 0 {
			d.byChat[of.StaffChat] = i
		}
		for _, id := range of.Admins {
			if _, ok := d.staff[id]; !ok {
				d.staff[id] = i
			}
		}
	}
	for _, id := range o.CountyAdmins {
		d.county[id] = true
	}
	if d.multi {
		// With offices, telegram.admins are county staff.
		for _, id := range o.Admins {
			d.county[id] = true
		}
	}
	return d
}

// get returns the office with that id.
func (d *offices) get(id string) (Office, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Office{}, false
	}
	return d.list[i], true
}

// admins lists everyone allowed staff commands.
func (d *offices) admins() []int64 {
	var out []int64
	for id := range d.staff {
		out = append(out, id)
	}
	for id := range d.county {
		if _, ok := d.staff[id]; !ok {
			out = append(out, id)
		}
	}
	return out
}

// staffChat returns the staff chat of an office (0 when it has none).
func (d *offices) staffChat(office string) int64 {
	if !d.multi {
		return d.list[0].StaffChat
	}
	if of, ok := d.get(office); ok {
		return of.StaffChat
	}
	// A ticket with no office (from the web page, or a resident who
	// chose none) goes to the first office listed.
	return d.list[0].StaffChat
}

// isStaffChat reports whether chatID is an office's staff chat.
func (d *offices) isStaffChat(chatID int64) bool {
	_, ok := d.byChat[chatID]
	return chatID != 0 && ok
}

// handOver reports whether hand-overs can reach anyone.
func (d *offices) handOver() bool { return len(d.byChat) > 0 }

// scope is the office whose records a staff member acts on in chatID:
// store.AllOffices for county staff outside an office's staff chat (and
// for everybody in a single township); ok is false for someone who is no
// staff of that chat's office.
func (d *offices) scope(userID, chatID int64) (office string, ok bool) {
	if !d.multi {
		return store.AllOffices, true
	}
	if i, inChat := d.byChat[chatID]; inChat {
		of := d.list[i]
		if d.county[userID] || containsID(of.Admins, userID) {
			return of.ID, true
		}
		return "", false
	}
	if d.county[userID] {
		return store.AllOffices, true
	}
	if i, ok := d.staff[userID]; ok {
		return d.list[i].ID, true
	}
	return "", false
}

// mayHandle reports whether userID may act on a record of office: answer
// or close its ticket, change its group. Records of no office are handled
// by the first office listed, which receives their hand-overs.
func (d *offices) mayHandle(userID int64, office string) bool {
	if !d.multi || d.county[userID] {
		return true
	}
	if office == "" {
		return containsID(d.list[0].Admins, userID)
	}
	of, ok := d.get(office)
	return ok && containsID(of.Admins, userID)
}

// name is an office's name for people; the county for AllOffices.
func (d *offices) name(office string) string {
	if office == store.AllOffices {
		return "全县"
	}
	if of, ok := d.get(office); ok {
		return of.Name
	}
	return "未选择司法所"
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// residentOffice is the office a consultation or ticket from mc counts
// for: a village group registered by an office belongs to it; otherwise
// the office the resident chose ("" when none, and always in a single
// township).
func (b *Bot) residentOffice(ctx context.Context, mc *msgCtx) string {
	if !b.offices.multi {
		return ""
	}
	if !mc.private {
		if c, err := b.db.GetChat(ctx, mc.chat.ID); err == nil && c.Registered && c.Office != "" {
			return c.Office
		}
	}
	office, _, err := b.db.ResidentOffice(ctx, mc.from.ID)
	if err != nil {
		b.log.Warn("reading a resident's office failed", slog.Any("error", err))
	}
	return office
}

// staffChatFor returns where a ticket of office is announced.
func (b *Bot) staffChatFor(office string) int64 { return b.offices.staffChat(office) }

// officeChooser is a keyboard with one button per office.
func (b *Bot) officeChooser(chatID int64) *keyboard {
	k := b.newKeyboard(chatID)
	var btns []button
	for _, of := range b.offices.list {
		btns = append(btns, k.button(of.Name, actOffice, of.ID))
	}
	return k.grid(2, btns).build()
}

// startInMultiOffice handles /start when the deployment has offices: a
// deep link joins its office; a resident with no office yet is asked to
// choose one.
func (b *Bot) startInMultiOffice(ctx context.Context, mc *msgCtx, arg string) (handled bool, err error) {
	if id, ok := strings.CutPrefix(arg, officeArgPrefix); ok {
		return true, b.joinOffice(ctx, mc, id)
	}
	if _, chosen, err := b.db.ResidentOffice(ctx, mc.from.ID); err != nil || chosen {
		return false, err
	}
	if err := b.reply(ctx, mc, b.msgWelcome(), b.menuKeyboard(mc.chat.ID)); err != nil {
		return true, err
	}
	return true, b.reply(ctx, mc, msgChooseOffice, b.officeChooser(mc.chat.ID))
}

// joinOffice makes the resident belong to office id.
func (b *Bot) joinOffice(ctx context.Context, mc *msgCtx, id string) error {
	of, ok := b.offices.get(id)
	if !ok || !b.offices.multi {
		return b.reply(ctx, mc, msgUnknownOffice, b.officeChooser(mc.chat.ID))
	}
	if err := b.write(func() error { return b.db.SetResidentOffice(ctx, mc.from.ID, of.ID) }); err != nil {
		_ = b.reply(ctx, mc, msgInternalError, nil)
		return err
	}
	b.log.Info("resident joined an office", slog.Int64(attrUserID, mc.from.ID), slog.String("office", of.ID))
	return b.reply(ctx, mc, msgOfficeJoined(of.Name), b.menuKeyboard(mc.chat.ID))
}

// cmdOffice shows the resident's office and lets them change it:
// /office, or /office <id>.
func (b *Bot) cmdOffice(ctx context.Context, mc *msgCtx, arg string) error {
	if !b.offices.multi {
		return b.reply(ctx, mc, msgOneOffice(b.o.Office), nil)
	}
	if arg = strings.TrimPrefix(strings.TrimSpace(arg), officeArgPrefix); arg != "" {
		return b.joinOffice(ctx, mc, arg)
	}
	office, chosen, err := b.db.ResidentOffice(ctx, mc.from.ID)
	if err != nil {
		return err
	}
	text := msgChooseOffice
	if of, ok := b.offices.get(office); chosen && ok {
		text = msgYourOffice(of.Name)
	}
	return b.reply(ctx, mc, text, b.officeChooser(mc.chat.ID))
}

// onOfficeButton is a press in the office chooser.
func (b *Bot) onOfficeButton(ctx context.Context, mc *msgCtx, id string) error {
	if !mc.private {
		return errStale
	}
	if _, ok := b.offices.get(id); !ok || !b.offices.multi {
		return errStale
	}
	return b.joinOffice(ctx, mc, id)
}

// needOffice asks a resident with no office to choose one before a
// hand-over, which needs an office's staff; it reports whether it did.
func (b *Bot) needOffice(ctx context.Context, mc *msgCtx) (string, bool, error) {
	office := b.residentOffice(ctx, mc)
	if _, ok := b.offices.get(office); !b.offices.multi || ok {
		return office, false, nil
	}
	return "", true, b.reply(ctx, mc, msgChooseOfficeFirst, b.officeChooser(mc.chat.ID))
}

// staffScope is the office a staff command acts on; it refuses (and
// answers) a staff member of another office in a staff chat.
func (b *Bot) staffScope(ctx context.Context, mc *msgCtx) (string, bool, error) {
	office, ok := b.offices.scope(mc.from.ID, mc.chat.ID)
	if !ok {
		return "", false, b.refuse(ctx, mc, "office scope")
	}
	return office, true, nil
}

// broadcastTo starts a broadcast for office (store.AllOffices: every
// office).
func (b *Bot) broadcastTo(ctx context.Context, office string, userID int64, html string) (int64, error) {
	if office == store.AllOffices || office == "" {
		return b.o.Broadcaster.Broadcast(ctx, userID, html)
	}
	ob, ok := b.o.Broadcaster.(OfficeBroadcaster)
	if !ok {
		return 0, errors.New("bot: the broadcaster cannot address one office")
	}
	return ob.BroadcastOffice(ctx, office, userID, html)
}

// registerGroupOffice is the office a group registered by userID belongs
// to: the staff member's own, or for county staff the office named in the
// argument ("" = the county: shared campaigns only).
func (b *Bot) registerGroupOffice(userID int64, arg string) (string, error) {
	if !b.offices.multi {
		return "", nil
	}
	arg = strings.TrimSpace(arg)
	if b.offices.county[userID] {
		if arg == "" {
			return "", nil
		}
		if _, ok := b.offices.get(arg); !ok {
			return "", fmt.Errorf("unknown office %q", arg)
		}
		return arg, nil
	}
	if i, ok := b.offices.staff[userID]; ok {
		return b.offices.list[i].ID, nil
	}
	return "", nil
}

// statsFor is the chart maker of /stats for an office scope: the county's
// (or the single township's) chart, or one office's.
func (b *Bot) statsFor(office string) StatsFunc {
	if office == store.AllOffices {
		return b.o.Stats
	}
	if b.o.OfficeStats == nil {
		return nil
	}
	return func(ctx context.Context, p Period) (string, []byte, error) { return b.o.OfficeStats(ctx, office, p) }
}
