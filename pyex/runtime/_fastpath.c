/* The compiled fast path of send() and receive(): see fastpath.py.
 *
 * Two callables, each wrapping the Python function it speeds up (its
 * ``__wrapped__``). Each handles the one case that dominates a message's
 * cost, exactly as the Python function's own inline fast path does, and hands
 * every other call to the Python function unchanged:
 *
 *   send(pid, message)  to a live local pid, nothing hooked (hooks.active
 *                       False): copy unless atomic, put, count the sender's
 *                       ``sent``;
 *   receive()           no pattern, no timeout, nothing saved, nothing
 *                       hooked, a message waiting: take it from the inbox,
 *                       count ``received``.
 *
 * Both run without a single check point of the interpreter between a
 * message's leaving the inbox and its being returned (taking.py): a C
 * function is one step for an asynchronous exception.
 *
 * The calling thread's process is read from the thread state's dict, where
 * binding.py puts it beside its threading.local (bind/unbind below); the
 * record's and the pid's fields are read through their slots' offsets, which
 * configure() takes from the classes' member descriptors. Every object is
 * checked to be of the configured exact type before a field is read.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *dict;
    PyObject *slow; /* the Python function: every case but the fast one */
} FastFunction;

/* What configure() was given; NULL until then (then every call is slow). */
static PyTypeObject *pid_type;
static PyTypeObject *record_type;
static PyObject *atomic_types;   /* frozenset of types passed uncopied */
static PyObject *copy_message;   /* message -> its copy (may raise) */
static PyObject *wake;           /* the WAKE token */
static PyObject *check_signals;  /* proc -> raise what a WAKE stands for */
static PyObject *empty_error;    /* queue.Empty */
static PyObject *binding_key;    /* the thread state dict's key */
static int hooks_active = 0;     /* hooks.active, as set_hooked() was last told */
static int hooked = 1;           /* every call takes the slow way: hooks_active, or not configured */
static PyObject *one;

/* Slot offsets, from the member descriptors. */
static Py_ssize_t pid_proc, rec_put, rec_drain, rec_saved, rec_received, rec_sent;

#define SLOT(obj, offset) (*(PyObject **)((char *)(obj) + (offset)))

static PyObject *
bound_process(void)
{
    /* The calling thread's record (borrowed), or NULL (no error set). */
    PyObject *dict = PyThreadState_GetDict();
    if (dict == NULL) {
        return NULL;
    }
    PyObject *proc = PyDict_GetItemWithError(dict, binding_key);
    if (proc == NULL) {
        PyErr_Clear();
        return NULL;
    }
    return Py_IS_TYPE(proc, record_type) ? proc : NULL;
}

static int
count(PyObject *proc, Py_ssize_t offset)
{
    /* ``proc.<field> += 1``; 0, or -1 with an error set. */
    PyObject *old = SLOT(proc, offset);
    if (old == NULL || !PyLong_CheckExact(old)) {
        return 0;
    }
    PyObject *new = PyNumber_Add(old, one);
    if (new == NULL) {
        return -1;
    }
    SLOT(proc, offset) = new;
    Py_DECREF(old);
    return 0;
}

static PyObject *
slow(FastFunction *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (self->slow == NULL) { /* cleared: the interpreter is shutting down */
        PyErr_SetString(PyExc_RuntimeError, "pyex is shutting down");
        return NULL;
    }
    return PyObject_Vectorcall(self->slow, args, nargsf, kwnames);
}

static PyObject *
fast_send(FastFunction *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (hooked || nargs != 2 || kwnames != NULL || !Py_IS_TYPE(args[0], pid_type)) {
        return slow(self, args, nargsf, kwnames);
    }
    PyObject *proc = SLOT(args[0], pid_proc);
    if (proc == NULL || !Py_IS_TYPE(proc, record_type)) {
        return slow(self, args, nargsf, kwnames);
    }
    PyObject *message = args[1];
    int atomic = PySet_Contains(atomic_types, (PyObject *)Py_TYPE(message));
    if (atomic < 0) {
        return NULL;
    }
    PyObject *copy;
    Py_INCREF(proc); /* copy_message runs Python code: the record must outlive it */
    if (atomic) {
        copy = Py_NewRef(message);
    }
    else {
        copy = PyObject_CallOneArg(copy_message, message);
        if (copy == NULL) {
            Py_DECREF(proc);
            return NULL;
        }
    }
    PyObject *put = SLOT(proc, rec_put);
    PyObject *done = NULL;
    if (put == NULL) {
        PyErr_SetString(PyExc_AttributeError, "a process record without put");
    }
    else {
        Py_INCREF(put);
        done = PyObject_CallOneArg(put, copy);
        Py_DECREF(put);
    }
    Py_DECREF(proc);
    Py_DECREF(copy);
    if (done == NULL) {
        return NULL;
    }
    Py_DECREF(done);
    PyObject *sender = bound_process();
    if (sender != NULL && count(sender, rec_sent) < 0) {
        return NULL;
    }
    return Py_NewRef(message);
}

static PyObject *
fast_receive(FastFunction *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (hooked || PyVectorcall_NARGS(nargsf) != 0 || kwnames != NULL) {
        return slow(self, args, nargsf, kwnames);
    }
    PyObject *proc = bound_process();
    if (proc == NULL) {
        return slow(self, args, nargsf, kwnames);
    }
    PyObject *saved = SLOT(proc, rec_saved);
    PyObject *drain = SLOT(proc, rec_drain);
    if (saved == NULL || drain == NULL) {
        return slow(self, args, nargsf, kwnames);
    }
    Py_ssize_t waiting = PyObject_Length(saved);
    if (waiting != 0) {
        if (waiting < 0) {
            return NULL;
        }
        return slow(self, args, nargsf, kwnames);
    }
    Py_INCREF(proc);
    Py_INCREF(drain);
    PyObject *item = PyIter_Next(drain);
    Py_DECREF(drain);
    if (item == NULL) {
        Py_DECREF(proc);
        if (PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(empty_error)) {
                return NULL;
            }
            PyErr_Clear();
        }
        return slow(self, args, nargsf, kwnames);
    }
    if (item == wake) {
        Py_DECREF(item);
        PyObject *none = PyObject_CallOneArg(check_signals, proc);
        Py_DECREF(proc);
        if (none == NULL) {
            return NULL;
        }
        Py_DECREF(none);
        return slow(self, args, nargsf, kwnames);
    }
    int failed = count(proc, rec_received);
    Py_DECREF(proc);
    if (failed) {
        Py_DECREF(item);
        return NULL;
    }
    return item;
}

/* ---- the callable type ---- */

static PyObject *
fastfunction_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *function;
    const char *kind;
    static char *keywords[] = {"function", "kind", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "Os:FastFunction", keywords, &function, &kind)) {
        return NULL;
    }
    vectorcallfunc call;
    if (strcmp(kind, "send") == 0) {
        call = (vectorcallfunc)fast_send;
    }
    else if (strcmp(kind, "receive") == 0) {
        call = (vectorcallfunc)fast_receive;
    }
    else {
        PyErr_Format(PyExc_ValueError, "kind must be 'send' or 'receive', not '%s'", kind);
        return NULL;
    }
    if (!PyCallable_Check(function)) {
        PyErr_SetString(PyExc_TypeError, "function must be callable");
        return NULL;
    }
    FastFunction *self = (FastFunction *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->dict = PyDict_New();
    if (self->dict == NULL) {
        Py_DECREF(self);
        return NULL;
    }
    self->slow = Py_NewRef(function);
    self->vectorcall = call;
    return (PyObject *)self;
}

static int
fastfunction_traverse(FastFunction *self, visitproc visit, void *arg)
{
    Py_VISIT(self->dict);
    Py_VISIT(self->slow);
    return 0;
}

static int
fastfunction_clear(FastFunction *self)
{
    Py_CLEAR(self->dict);
    Py_CLEAR(self->slow);
    return 0;
}

static void
fastfunction_dealloc(FastFunction *self)
{
    PyObject_GC_UnTrack(self);
    fastfunction_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
fastfunction_descr_get(PyObject *self, PyObject *obj, PyObject *type)
{
    /* Like a builtin function: no binding as a method. */
    return Py_NewRef(self);
}

static PyObject *
fastfunction_repr(FastFunction *self)
{
    /* As the wrapped function's: <function send at 0x...>. */
    return PyObject_Repr(self->slow);
}

static PyObject *
fastfunction_reduce(PyObject *self, PyObject *unused)
{
    /* By name, as a function: copy and deepcopy return it as it is. */
    return PyObject_GetAttrString(self, "__qualname__");
}

static PyMethodDef fastfunction_methods[] = {
    {"__reduce__", fastfunction_reduce, METH_NOARGS, NULL},
    {NULL},
};

static PyGetSetDef fastfunction_getset[] = {
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict},
    {NULL},
};

static PyTypeObject FastFunctionType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyex.runtime._fastpath.FastFunction",
    .tp_doc = "FastFunction(function, kind): function, with its commonest case compiled.",
    .tp_basicsize = sizeof(FastFunction),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_new = fastfunction_new,
    .tp_dealloc = (destructor)fastfunction_dealloc,
    .tp_traverse = (traverseproc)fastfunction_traverse,
    .tp_clear = (inquiry)fastfunction_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(FastFunction, vectorcall),
    .tp_dictoffset = offsetof(FastFunction, dict),
    .tp_descr_get = fastfunction_descr_get,
    .tp_repr = (reprfunc)fastfunction_repr,
    .tp_getset = fastfunction_getset,
    .tp_methods = fastfunction_methods,
};

/* ---- module functions ---- */

static int
slot_offset(PyTypeObject *type, const char *name, Py_ssize_t *offset)
{
    PyObject *descr = PyDict_GetItemString(type->tp_dict, name);
    if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", type->tp_name, name);
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX) {
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", type->tp_name, name);
        return -1;
    }
    *offset = member->offset;
    return 0;
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    PyObject *pid, *record, *atomic, *copy, *wake_token, *signals, *empty;
    if (!PyArg_ParseTuple(args, "O!O!O!OOOO:configure", &PyType_Type, &pid, &PyType_Type, &record,
                          &PyFrozenSet_Type, &atomic, &copy, &wake_token, &signals, &empty)) {
        return NULL;
    }
    Py_ssize_t offsets[6];
    if (slot_offset((PyTypeObject *)pid, "_proc", &offsets[0]) < 0
        || slot_offset((PyTypeObject *)record, "put", &offsets[1]) < 0
        || slot_offset((PyTypeObject *)record, "drain", &offsets[2]) < 0
        || slot_offset((PyTypeObject *)record, "saved", &offsets[3]) < 0
        || slot_offset((PyTypeObject *)record, "received", &offsets[4]) < 0
        || slot_offset((PyTypeObject *)record, "sent", &offsets[5]) < 0) {
        return NULL;
    }
    pid_proc = offsets[0];
    rec_put = offsets[1];
    rec_drain = offsets[2];
    rec_saved = offsets[3];
    rec_received = offsets[4];
    rec_sent = offsets[5];
    Py_XSETREF(pid_type, (PyTypeObject *)Py_NewRef(pid));
    Py_XSETREF(record_type, (PyTypeObject *)Py_NewRef(record));
    Py_XSETREF(atomic_types, Py_NewRef(atomic));
    Py_XSETREF(copy_message, Py_NewRef(copy));
    Py_XSETREF(wake, Py_NewRef(wake_token));
    Py_XSETREF(check_signals, Py_NewRef(signals));
    Py_XSETREF(empty_error, Py_NewRef(empty));
    hooked = hooks_active;
    Py_RETURN_NONE;
}

static PyObject *
set_hooked(PyObject *module, PyObject *flag)
{
    int on = PyObject_IsTrue(flag);
    if (on < 0) {
        return NULL;
    }
    hooks_active = on;
    hooked = on || pid_type == NULL; /* until configure() has run, every call is slow */
    Py_RETURN_NONE;
}

static PyObject *
bind(PyObject *module, PyObject *proc)
{
    PyObject *dict = PyThreadState_GetDict();
    if (dict == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no thread state dict");
        return NULL;
    }
    if (PyDict_SetItem(dict, binding_key, proc) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
unbind(PyObject *module, PyObject *unused)
{
    PyObject *dict = PyThreadState_GetDict();
    if (dict != NULL && PyDict_DelItem(dict, binding_key) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
            return NULL;
        }
        PyErr_Clear();
    }
    Py_RETURN_NONE;
}

static PyObject *
bound(PyObject *module, PyObject *unused)
{
    PyObject *dict = PyThreadState_GetDict();
    PyObject *proc = dict == NULL ? NULL : PyDict_GetItemWithError(dict, binding_key);
    if (proc == NULL) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    return Py_NewRef(proc);
}

static PyMethodDef module_methods[] = {
    {"configure", configure, METH_VARARGS,
     "configure(pid_type, record_type, atomic_types, copy_message, wake, check_signals, empty)"},
    {"set_hooked", set_hooked, METH_O, "set_hooked(flag): while true, every call takes the slow way."},
    {"bind", bind, METH_O, "bind(proc): the calling thread's process, for the fast path."},
    {"unbind", unbind, METH_NOARGS, "unbind(): the calling thread has no process."},
    {"bound", bound, METH_NOARGS, "bound(): the calling thread's process, or None."},
    {NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pyex.runtime._fastpath",
    .m_doc = "The compiled fast path of send() and receive() (see fastpath.py).",
    .m_size = -1,
    .m_methods = module_methods,
};

PyMODINIT_FUNC
PyInit__fastpath(void)
{
    if (PyType_Ready(&FastFunctionType) < 0) {
        return NULL;
    }
    binding_key = PyUnicode_InternFromString("pyex.runtime.binding");
    one = PyLong_FromLong(1);
    if (binding_key == NULL || one == NULL) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "FastFunction", (PyObject *)&FastFunctionType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
