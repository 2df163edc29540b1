package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pufabot/pufabot/schedules"
)

// Office is one township justice office (司法所) of a county that runs one
// service for all its townships: its residents, staff chat, staff and
// campaigns are its own, and reports count it apart.
type Office struct {
	// ID is a short ASCII slug, used in deep links (/start office-<id>),
	// the database and `report --office`.
	ID string `yaml:"id"`
	// Name is the office's name as residents read it, e.g. 石桥镇司法所.
	Name string `yaml:"name"`
	// StaffChat receives the hand-overs of the office's residents.
	StaffChat int64 `yaml:"staff_chat"`
	// Admins are the Telegram user ids of the office's staff.
	Admins []int64 `yaml:"admins"`
	// Campaigns are the office's own campaigns, sent to its own
	// subscribers in addition to the shared schedules.campaigns.
	Campaigns []schedules.Campaign `yaml:"campaigns"`
}

// officeIDRe is an office id: lower-case ASCII letters, digits and '-',
// short enough for a deep link (/start office-<id> is at most 64
// characters).
var officeIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// MaxOffices bounds the office list: a county has a few dozen townships.
const MaxOffices = 200

// ValidOfficeID reports whether id is a well-formed office id.
func ValidOfficeID(id string) bool { return officeIDRe.MatchString(id) }

// MultiOffice reports whether the configuration lists offices; without
// them the deployment is one implicit office, as before offices existed.
func (c Config) MultiOffice() bool { return len(c.Offices) > 0 }

// OfficeByID returns the configured office with that id.
func (c Config) OfficeByID(id string) (Office, bool) {
	for _, o := range c.Offices {
		if o.ID == id {
			return o, true
		}
	}
	return Office{}, false
}

// AllCampaigns is the shared calendar followed by every office's own
// campaigns, each marked with its office.
func (c Config) AllCampaigns() []schedules.Campaign {
	out := append([]schedules.Campaign(nil), c.Schedules.Campaigns...)
	for _, o := range c.Offices {
		for _, camp := range o.Campaigns {
			camp.Office = o.ID
			out = append(out, camp)
		}
	}
	return out
}

// validateOffices checks the office list and the county admins.
func (c Config) validateOffices() error {
	var errs []error
	for i, id := range c.CountyAdmins {
		if id <= 0 || id > MaxTelegramID {
			errs = append(errs, fmt.Errorf("county_admins[%d]: %d is not a user id", i, id))
		}
	}
	if len(c.Offices) == 0 {
		return errors.Join(errs...)
	}
	if len(c.Offices) > MaxOffices {
		errs = append(errs, fmt.Errorf("offices: %d offices, at most %d", len(c.Offices), MaxOffices))
	}
	ids := map[string]int{}
	chats := map[int64]int{}
	for i, o := range c.Offices {
		key := fmt.Sprintf("offices[%d]", i)
		switch {
		case o.ID == "":
			errs = append(errs, fmt.Errorf("%s.id is empty", key))
		case !ValidOfficeID(o.ID):
			errs = append(errs, fmt.Errorf("%s.id %q: use lower-case ASCII letters, digits and '-' (at most 32), e.g. shiqiao", key, o.ID))
		}
		if j, dup := ids[o.ID]; dup && o.ID != "" {
			errs = append(errs, fmt.Errorf("%s.id %q is also the id of offices[%d]", key, o.ID, j))
		} else {
			ids[o.ID] = i
		}
		if strings.TrimSpace(o.Name) == "" || len([]rune(o.Name)) > 30 {
			errs = append(errs, fmt.Errorf("%s.name %q: want a name of 1 to 30 characters, e.g. 石桥镇司法所", key, o.Name))
		}
		switch id := o.StaffChat; {
		case id == 0:
			errs = append(errs, fmt.Errorf("%s.staff_chat is required: the chat id of the office's staff group, where its hand-overs go", key))
		case id < -MaxTelegramID || id > MaxTelegramID:
			errs = append(errs, fmt.Errorf("%s.staff_chat %d is not a chat id", key, id))
		default:
			if j, dup := chats[id]; dup {
				errs = append(errs, fmt.Errorf("%s.staff_chat %d is also the staff chat of offices[%d] (%s): each office needs a chat of its own", key, id, j, c.Offices[j].ID))
			} else {
				chats[id] = i
			}
		}
		for k, id := range o.Admins {
			if id <= 0 || id > MaxTelegramID {
				errs = append(errs, fmt.Errorf("%s.admins[%d]: %d is not a user id", key, k, id))
			}
		}
	}
	if c.Telegram.StaffChat != 0 {
		errs = append(errs, fmt.Errorf("telegram.staff_chat %d: with offices, hand-overs go to each office's staff_chat; move it to its office (or leave it out)", c.Telegram.StaffChat))
	}
	return errors.Join(errs...)
}
