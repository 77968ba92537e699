// Package smtp is a small SMTP receiver (RFC 5321, the subset mail clients use: EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT) speaking the protocol over real TCP with net/textproto. Tests
// and `hirestream emulate smtp` use it as the alert mailbox; it keeps messages in memory and can
// refuse the next transactions with a 4xx or 5xx reply, as a real server does.
package smtp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	// Data is the message as received (headers and body, CRLF line ends, dot-unstuffed).
	Data []byte
	// Subject and Body are decoded (RFC 2047 words, quoted-printable) for assertions.
	Subject    string
	Body       string
	Header     mail.Header
	ReceivedAt time.Time
}

// Server receives mail. The zero value is not usable: call New.
type Server struct {
	// Domain is announced in the greeting. Default: hirestream-smtp.local.
	Domain string
	// OnMessage, when set, is called for every accepted message (logging).
	OnMessage func(Message)

	mu       sync.Mutex
	msgs     []Message
	failNext int
	failCode int
	ln       net.Listener
	conns    map[net.Conn]struct{}
	wg       sync.WaitGroup
	closed   bool
}

// New returns a server with no messages.
func New() *Server {
	return &Server{Domain: "hirestream-smtp.local", conns: map[net.Conn]struct{}{}}
}

// Listen starts serving on addr (e.g. 127.0.0.1:0) and returns the address it listens on.
func (s *Server) Listen(addr string) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	go s.Serve(l) //nolint:errcheck // Serve returns when Close closes l
	return l.Addr().String(), nil
}

// Serve accepts connections on l until Close.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.ln = l
	s.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			return err
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return nil
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			s.session(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Close stops listening and drops open sessions.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// Messages returns the messages received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// FailNext makes the next n transactions fail at MAIL FROM with code (451: try again later,
// 550: refused for good).
func (s *Server) FailNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext, s.failCode = n, code
}

func (s *Server) session(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	reply := func(format string, args ...any) bool {
		_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return tp.PrintfLine(format, args...) == nil
	}
	if !reply("220 %s ESMTP hirestream receiver ready", s.Domain) {
		return
	}
	var from string
	var to []string
	for {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Minute))
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply("250-%s greets %s", s.Domain, arg)
			reply("250-8BITMIME")
			reply("250-SIZE 10485760")
			reply("250 SMTPUTF8")
		case "HELO":
			reply("250 %s", s.Domain)
		case "MAIL":
			addr, ok := pathArg(arg, "FROM:")
			if !ok {
				reply("501 5.5.4 Syntax: MAIL FROM:<address>")
				continue
			}
			s.mu.Lock()
			fail, code := s.failNext > 0, s.failCode
			if fail {
				s.failNext--
			}
			s.mu.Unlock()
			if fail {
				if code/100 == 4 {
					reply("%d 4.3.0 Try again later (injected)", code)
				} else {
					reply("%d 5.7.1 Refused (injected)", code)
				}
				continue
			}
			from, to = addr, nil
			reply("250 2.1.0 OK")
		case "RCPT":
			addr, ok := pathArg(arg, "TO:")
			switch {
			case from == "":
				reply("503 5.5.1 MAIL first")
			case !ok || addr == "":
				reply("501 5.5.4 Syntax: RCPT TO:<address>")
			default:
				to = append(to, addr)
				reply("250 2.1.5 OK")
			}
		case "DATA":
			if from == "" || len(to) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 End data with <CR><LF>.<CR><LF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			msg := parse(from, to, data)
			s.mu.Lock()
			s.msgs = append(s.msgs, msg)
			n := len(s.msgs)
			s.mu.Unlock()
			if s.OnMessage != nil {
				s.OnMessage(msg)
			}
			reply("250 2.0.0 OK queued as %d", n)
			from, to = "", nil
		case "RSET":
			from, to = "", nil
			reply("250 2.0.0 OK")
		case "NOOP":
			reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.2 Command not implemented")
		}
	}
}

// pathArg reads "FROM:<a@b> SIZE=12" → a@b.
func pathArg(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func parse(from string, to []string, data []byte) Message {
	m := Message{From: from, To: to, Data: data, ReceivedAt: time.Now()}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		m.Body = string(data)
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	if s, err := dec.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		m.Subject = s
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(bufio.NewReader(body))
	if err != nil && !errors.Is(err, io.EOF) {
		b = append(b, fmt.Sprintf("\n[decode error: %v]", err)...)
	}
	m.Body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return m
}
