package profile

// Manifest annotations an upload writes. Category has no standard key: this one is
// the project's own, and the sandbox reads the same key.
const (
	AnnotationDescription = "org.opencontainers.image.description"
	AnnotationVersion     = "org.opencontainers.image.version"
	AnnotationCreated     = "org.opencontainers.image.created"
	AnnotationCategory    = "com.imagedesk.category"
	AnnotationUploader    = "com.imagedesk.uploader"
)
