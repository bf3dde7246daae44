from sinch_provisioning_mcp.cli import main

raise SystemExit(main())
