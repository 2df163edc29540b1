package main

import (
	"github.com/pufabot/pufabot/bot"
	"github.com/pufabot/pufabot/config"
)

// botOffices turns the configured offices into the bot's; none for a
// single township.
func botOffices(cfg config.Config) []bot.Office {
	var out []bot.Office
	for _, o := range cfg.Offices {
		out = append(out, bot.Office{ID: o.ID, Name: o.Name, StaffChat: o.StaffChat, Admins: o.Admins})
	}
	return out
}
