from dlquest.cli import main

raise SystemExit(main())
