// Baselines of the courses benchmarks: bare Express + pg on the same database and pool size —
// one INSERT per enrollment, one SELECT per catalogue page; no auth, no validation, no transaction.
import express from 'express';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = express();

app.post('/api/v1/courses/:id/enroll', async (req, res) => {
  const { rows } = await pool.query(
    `INSERT INTO bare_enrollments (course_id, student_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING RETURNING course_id, student_id, enrolled_at`,
    [req.params.id, req.get('x-student-id')],
  );
  res.status(201).json(rows[0] ?? null);
});

app.get('/api/v1/courses', async (_req, res) => {
  const { rows } = await pool.query(
    `SELECT id, title, description, instructor_id, published, category, capacity, level, language,
            enrollment_opens_at, enrollment_closes_at, version, created_at, updated_at
       FROM courses WHERE deleted_at IS NULL AND published ORDER BY created_at DESC, id DESC LIMIT 20`,
  );
  res.json({ items: rows, nextCursor: null });
});

const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`LISTENING http://127.0.0.1:${address.port}`);
});
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
});
