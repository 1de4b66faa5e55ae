package main

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"hotline/crm/sms"
	"hotline/crm/smtp"
)

// NotifyConfig is how Hotline reaches people: the mail server and sender,
// the SMS gateway, and the address links point to.
type NotifyConfig struct {
	PublicURL string // "" means http://HTTPAddr
	SMTPURL   string // secret: may hold the password
	MailFrom  string
	SMSURL    string // secret: may hold an API key
	SMSMethod string
}

// check relates the settings to each other, after each was read.
func (n NotifyConfig) check() error {
	if n.SMTPURL != "" && n.MailFrom == "" {
		return errors.New("invalid HOTLINE_MAIL_FROM: required when HOTLINE_SMTP_URL is set")
	}
	if n.SMSURL != "" {
		if _, err := sms.New(sms.Options{URL: n.SMSURL, Method: n.SMSMethod}); err != nil {
			return fmt.Errorf("invalid HOTLINE_SMS_URL: %v", err)
		}
	}
	return nil
}

func checkPublicURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: want the address people open Hotline at, such as https://desk.example.ru", redactURL(v))
	}
	c.Notify.PublicURL = strings.TrimRight(v, "/")
	return nil
}

// checkSMTPURL checks the mail server's URL; errors never show its password.
func checkSMTPURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if _, err := smtp.New(smtp.Options{URL: v, From: "check@example.invalid"}); err != nil {
		return fmt.Errorf("%q: %v", redactURL(v), err)
	}
	c.Notify.SMTPURL = v
	return nil
}

func checkMailFrom(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if _, err := mail.ParseAddress(v); err != nil {
		return fmt.Errorf("%q: want an address such as \"Support <desk@example.ru>\" or desk@example.ru", v)
	}
	c.Notify.MailFrom = v
	return nil
}

// checkSMSURL keeps the template; check relates it to the method. Errors
// never show it: it may hold an API key.
func checkSMSURL(v string, c *Config) error {
	if v == "" {
		return nil
	}
	if !strings.Contains(v, "{number}") || !strings.Contains(v, "{text}") {
		return errors.New("the URL template must contain {number} and {text}")
	}
	c.Notify.SMSURL = v
	return nil
}

func checkSMSMethod(v string, c *Config) error {
	switch m := strings.ToUpper(v); m {
	case "GET", "POST":
		c.Notify.SMSMethod = m
		return nil
	}
	return fmt.Errorf("%q: want GET or POST", v)
}
