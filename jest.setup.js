// Services log at info by default; in tests only warnings and errors are worth reading.
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'warn';
