// Services log at info by default; in tests only warnings and errors are worth reading.
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'warn';
// The suite makes many accounts, orders and requests from 127.0.0.1 within minutes; the
// tests of the rate limits themselves set RATE_LIMIT_MULTIPLIER=1 and their own limits.
process.env.RATE_LIMIT_MULTIPLIER = process.env.RATE_LIMIT_MULTIPLIER || '1000';
