/** One schema step. Migrations are append-only: never edit a released one, add the next. */
export interface Migration {
  version: number
  name: string
  sql: string
}

/** The store's schema history; `PRAGMA user_version` records the last one applied. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'datasets, volumes, splits, runs',
    sql: `
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        layout TEXT NOT NULL CHECK (layout IN ('msd', 'paired')),
        source_dir TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        labels_json TEXT NOT NULL DEFAULT '{}',
        preprocessing_json TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL
      );
      CREATE TABLE volumes (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        case_id TEXT NOT NULL,
        image_path TEXT NOT NULL,
        label_path TEXT NOT NULL,
        dims_json TEXT NOT NULL,
        spacing_json TEXT NOT NULL,
        affine_json TEXT NOT NULL,
        slice_axis INTEGER NOT NULL CHECK (slice_axis IN (0, 1, 2)),
        image_dtype TEXT NOT NULL,
        label_voxels_json TEXT NOT NULL,
        foreground_slices INTEGER NOT NULL,
        UNIQUE (dataset_id, case_id)
      );
      CREATE TABLE splits (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        seed INTEGER NOT NULL,
        fractions_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE split_members (
        split_id INTEGER NOT NULL REFERENCES splits(id) ON DELETE CASCADE,
        volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
        subset TEXT NOT NULL CHECK (subset IN ('train', 'val', 'test')),
        PRIMARY KEY (split_id, volume_id)
      );
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
        seed INTEGER,
        config_json TEXT NOT NULL DEFAULT '{}',
        result_json TEXT,
        error TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'run ownership for crash detection, settings, indexes',
    sql: `
      -- Which process owns a running run, so a run whose process died is marked failed at the next open.
      ALTER TABLE runs ADD COLUMN pid INTEGER;
      ALTER TABLE runs ADD COLUMN host TEXT;
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX volumes_dataset ON volumes (dataset_id);
      CREATE INDEX split_members_volume ON split_members (volume_id);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
  {
    version: 3,
    name: 'annotation plans',
    sql: `
      CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        density REAL NOT NULL,
        volume_fraction REAL NOT NULL,
        method TEXT NOT NULL,
        features TEXT,
        rule TEXT,
        scope TEXT NOT NULL,
        subset_mode TEXT NOT NULL,
        seed INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('generated', 'imported')),
        -- The canonical request a generated plan was resolved from; the same request finds the same plan.
        request_json TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX plans_dataset ON plans (dataset_id);
      CREATE INDEX plans_request ON plans (dataset_id, request_json);
      CREATE TABLE plan_items (
        plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
        volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
        slices_json TEXT NOT NULL,
        mask_path TEXT,
        PRIMARY KEY (plan_id, volume_id)
      );
    `,
  },
  {
    version: 4,
    name: 'interpolation results per volume',
    sql: `
      -- An interpolation run is a row of runs (kind 'interpolation'); each volume's result sits here.
      CREATE TABLE interpolation_volumes (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
        mask_path TEXT NOT NULL,
        annotated_json TEXT NOT NULL,
        iou REAL NOT NULL,
        dice REAL NOT NULL,
        per_label_json TEXT NOT NULL,
        slices_json TEXT NOT NULL,
        ms REAL NOT NULL,
        PRIMARY KEY (run_id, volume_id)
      );
    `,
  },
  {
    version: 5,
    name: 'sweeps and their trials',
    sql: `
      CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        definition_json TEXT NOT NULL,
        train_slices INTEGER NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      -- One training run per trial; a trial re-run (retry, resume) points at its newest run.
      CREATE TABLE sweep_trials (
        id INTEGER PRIMARY KEY,
        sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        key TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        plan_id INTEGER REFERENCES plans(id) ON DELETE SET NULL,
        budget INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        backend TEXT,
        metrics_json TEXT,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        pid INTEGER,
        host TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        UNIQUE (sweep_id, key)
      );
      CREATE INDEX sweep_trials_status ON sweep_trials (sweep_id, status);
    `,
  },
]

/** The schema version this build of the workbench writes. */
export const latestSchemaVersion = migrations.reduce((v, m) => Math.max(v, m.version), 0)
