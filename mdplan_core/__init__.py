"""mdplan engine: plan model, reading, validation, store, progress. Never imports streamlit."""
