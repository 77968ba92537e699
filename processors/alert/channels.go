package alert

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// DeliveryError is a channel that could not deliver.
type DeliveryError struct {
	Channel string
	Err     error
	// Temporary deliveries may work when retried (network, 5xx, 429, SMTP 4xx).
	Temporary  bool
	RetryAfter time.Duration
}

func (e *DeliveryError) Error() string { return e.Channel + ": " + e.Err.Error() }
func (e *DeliveryError) Unwrap() error { return e.Err }

// Slack posts to Slack incoming webhooks.
type Slack struct {
	Client *http.Client
}

// NewSlack returns a Slack client with timeout per post (default 10s).
func NewSlack(timeout time.Duration) *Slack {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Slack{Client: &http.Client{Timeout: timeout}}
}

// Post sends payload to webhookURL. Slack answers 200 "ok"; 429 with Retry-After when posting
// faster than about one message a second; 4xx for a revoked or wrong webhook (permanent).
func (s *Slack) Post(ctx context.Context, webhookURL string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return &DeliveryError{Channel: "slack", Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return &DeliveryError{Channel: "slack", Err: errors.New("bad webhook URL")} // never echo the URL: it is a credential
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap() // url.Error carries the URL; keep only the cause
		}
		return &DeliveryError{Channel: "slack", Err: err, Temporary: true}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	text := strings.TrimSpace(string(b))
	switch {
	case resp.StatusCode == http.StatusOK && text == "ok":
		return nil
	case resp.StatusCode == http.StatusTooManyRequests:
		ra, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return &DeliveryError{Channel: "slack", Err: fmt.Errorf("HTTP 429 %s", text), Temporary: true, RetryAfter: time.Duration(ra) * time.Second}
	case resp.StatusCode >= 500:
		return &DeliveryError{Channel: "slack", Err: fmt.Errorf("HTTP %d %s", resp.StatusCode, text), Temporary: true}
	}
	return &DeliveryError{Channel: "slack", Err: fmt.Errorf("HTTP %d %s", resp.StatusCode, text)}
}

// SMTPConfig configures mail delivery.
type SMTPConfig struct {
	// Addr is host:port of the SMTP server (submission: 587).
	Addr string
	// From is the sender address.
	From string
	// Username and Password enable AUTH PLAIN (only over TLS, or to localhost). Secret.
	Username, Password string
	// StartTLS is auto (use it when offered), always (fail without it) or never. Default: auto.
	StartTLS string
	// Timeout bounds one delivery. Default: 15s.
	Timeout time.Duration
}

// Mailer sends plain-text mail over SMTP (net/smtp, which is frozen but complete for this).
type Mailer struct{ cfg SMTPConfig }

// NewMailer checks cfg.
func NewMailer(cfg SMTPConfig) (*Mailer, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("SMTP address %q is not host:port", cfg.Addr)
	}
	if cfg.From == "" {
		return nil, errors.New("SMTP sender (From) is empty")
	}
	switch cfg.StartTLS {
	case "":
		cfg.StartTLS = "auto"
	case "auto", "always", "never":
	default:
		return nil, fmt.Errorf("STARTTLS mode %q: use auto, always or never", cfg.StartTLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Mailer{cfg: cfg}, nil
}

// Send delivers one message to to. SMTP 4xx replies and network failures are temporary;
// 5xx replies are permanent.
func (m *Mailer) Send(ctx context.Context, to, subject, body, messageID string) error {
	err := m.send(ctx, to, subject, body, messageID)
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &DeliveryError{Channel: "email", Err: err, Temporary: tp.Code/100 == 4}
	}
	return &DeliveryError{Channel: "email", Err: err, Temporary: true}
}

func (m *Mailer) send(ctx context.Context, to, subject, body, messageID string) error {
	host, _, _ := net.SplitHostPort(m.cfg.Addr)
	d := net.Dialer{Timeout: m.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(m.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("hirestream"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok && m.cfg.StartTLS != "never" {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	} else if m.cfg.StartTLS == "always" {
		return &textproto.Error{Code: 530, Msg: "server does not offer STARTTLS and SMTP_STARTTLS=always"}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(m.cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(message(m.cfg.From, to, subject, body, messageID)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message builds an RFC 5322 message: UTF-8 subject as an encoded word, quoted-printable body.
func message(from, to, subject, body, messageID string) []byte {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", from)
	h("To", to)
	h("Subject", mime.QEncoding.Encode("utf-8", subject))
	h("Date", time.Now().UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+messageID+"@hirestream>")
	h("MIME-Version", "1.0")
	h("Content-Type", `text/plain; charset="utf-8"`)
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	_ = qp.Close()
	return b.Bytes()
}
